import { Injectable } from '@nestjs/common';
import { join } from 'node:path';
import { EntityManager } from 'typeorm';
import { ContentImporter, ContentProblem } from '../content/content-import.service';
import { OrgTreeService } from '../organizations/org-tree.service';
import { CourseSource, contentChecksum, readCourseFolders } from './course-files';
import { CourseVersionEntity } from './course-version.entity';
import { CourseEntity } from './course.entity';
import { CoursePublishService } from './course-publish.service';
import { newId } from '../common/ids';

const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * `content/courses/`: validates every course folder first, then creates or updates courses inside the import
 * transaction. A course whose files did not change is left alone; a changed published course gets a new version.
 */
@Injectable()
export class CourseImportService implements ContentImporter<CourseSource[]> {
  readonly name = 'courses';
  readonly order = 10;

  constructor(
    private readonly publisher: CoursePublishService,
    private readonly tree: OrgTreeService,
  ) {}

  /** `dir` is the content root (the folder holding `courses/`). */
  async read(
    dir: string,
  ): Promise<{ plan: CourseSource[]; problems: ContentProblem[]; items: number }> {
    const { courses, problems } = readCourseFolders(join(dir, 'courses'));
    return { plan: courses, problems, items: courses.length };
  }

  async apply(
    plan: CourseSource[],
    m: EntityManager,
    progress: () => void,
  ): Promise<{ changed: number; unchanged: number }> {
    const repo = m.getRepository(CourseEntity);
    // Imported courses belong to the city (the root of the tree) when one exists; the demo step adopts them otherwise.
    const root = (await this.tree.all())
      .filter((n) => n.depth === 0)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())[0];
    let changed = 0;
    let unchanged = 0;
    for (const source of plan) {
      const { meta, content } = source;
      const checksum = contentChecksum(content);
      const now = new Date();
      const existing = await repo.findOneBy({ slug: meta.slug });
      if (!existing) {
        const course = repo.create({
          id: newId(),
          ...meta,
          orgId: root?.id ?? null,
          currentVersionId: null,
          draft: content,
          draftChecksum: checksum,
          createdBy: null,
          createdAt: now,
          updatedAt: now,
        });
        await repo.insert(course);
        if (meta.status !== 'draft') {
          await this.publisher.publishIn(m, course, content, null);
        }
        changed++;
      } else {
        const current = existing.currentVersionId
          ? await m.getRepository(CourseVersionEntity).findOneBy({ id: existing.currentVersionId })
          : null;
        const metaSame =
          existing.trainingKind === meta.trainingKind &&
          existing.status === meta.status &&
          sameList(existing.competencies, meta.competencies) &&
          sameList(existing.postTypes, meta.postTypes) &&
          sameList(existing.levels, meta.levels);
        const needsVersion = meta.status !== 'draft' && current?.checksum !== checksum;
        if (metaSame && existing.draftChecksum === checksum && !needsVersion) {
          unchanged++;
        } else {
          await repo.update(
            { id: existing.id },
            { ...meta, draft: content, draftChecksum: checksum, updatedAt: now },
          );
          if (needsVersion) {
            await this.publisher.publishIn(m, existing, content, null);
          }
          changed++;
        }
      }
      progress();
    }
    return { changed, unchanged };
  }
}
