import { Injectable } from '@nestjs/common';
import { Actor } from '../common/access/actor';
import { CourseExtrasService } from './course-extras.service';
import { CurriculumService } from './curriculum.service';
import { CatalogueQuery } from './dto/course.dto';
import { CatalogueItem, CourseDetailView, toCatalogueItem, toCourseDetail } from './course.view';
import { CourseAuthoringService } from './course-authoring.service';

/** The published catalogue and one course's outline, as every signed-in person sees them. */
@Injectable()
export class CourseCatalogueService {
  constructor(
    private readonly curriculum: CurriculumService,
    private readonly extras: CourseExtrasService,
    private readonly authoring: CourseAuthoringService,
  ) {}

  async catalogue(
    actor: Actor,
    query: CatalogueQuery,
  ): Promise<{ items: CatalogueItem[]; nextCursor: string | null }> {
    const limit = Math.min(Math.max(Number(query.limit ?? 50), 1), 200);
    const after = query.cursor ? Buffer.from(query.cursor, 'base64url').toString('utf8') : '';
    const all = (await this.curriculum.listVisible(actor)).filter(
      (c) =>
        (!query.kind || c.trainingKind === query.kind) &&
        (!query.competency || c.competencies.includes(query.competency)),
    );
    const rest = all.filter((c) => c.slug > after);
    const page = rest.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toCatalogueItem),
      nextCursor: rest.length > limit && last ? Buffer.from(last.slug).toString('base64url') : null,
    };
  }

  /** The published outline; an editor of a never-published course gets its draft outline (lessons without ids). */
  async detail(actor: Actor, slug: string): Promise<CourseDetailView> {
    const access = await this.curriculum.requireVisible(actor, slug);
    const outline = access.course.versionId
      ? await this.curriculum.outline(access.course.versionId)
      : null;
    const draft = outline ? null : await this.authoring.draft(actor, slug);
    const extras = await this.extras.collect(access.course.id, actor);
    return {
      ...toCourseDetail(access.course, outline, draft, access.canEdit),
      quizzes: [],
      ...extras,
    };
  }
}
