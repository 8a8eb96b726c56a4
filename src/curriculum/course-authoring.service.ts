import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Actor } from '../common/access/actor';
import { TransactionService } from '../database/transaction.service';
import { isUniqueViolation } from '../database/db-errors';
import { AuditService } from '../audit/audit.service';
import { OrgTreeService } from '../organizations/org-tree.service';
import { COURSE_EDITORS, canEditCourse, canSeeCourse } from './course-access';
import {
  Competency,
  CourseContent,
  LessonContent,
  LessonKind,
  TrainingKind,
  contentChecksum,
  firstParagraph,
  nameFromTitle,
  renumberKeys,
} from './course-files';
import { CoursePublishService } from './course-publish.service';
import { CourseVersionEntity } from './course-version.entity';
import { CourseEntity } from './course.entity';
import { CurriculumException } from './curriculum.exception';
import { CurriculumService } from './curriculum.service';
import { CourseInputDto } from './dto/course.dto';
import { newId } from '../common/ids';

export interface CourseSettings {
  title: string;
  titleEn: string;
  trainingKind: TrainingKind;
  hours: number;
  summary: string;
  summaryEn?: string;
  overview?: string;
  competencies?: Competency[];
  postTypes?: string[];
  levels?: string[];
}

export interface LessonInput {
  title: string;
  titleEn?: string;
  minutes: number;
  kind: LessonKind;
  module?: string;
  moduleEn?: string;
  markdown: string;
}

export interface DraftView {
  id: string;
  slug: string;
  status: string;
  orgId: string | null;
  version: number;
  hasUnpublishedChanges: boolean;
  title: string;
  titleEn: string;
  summary: string;
  summaryEn: string;
  overview: string;
  hours: number;
  trainingKind: string;
  competencies: string[];
  postTypes: string[];
  levels: string[];
  updatedAt: Date;
  /** The draft's checksum: edits that send it back are refused if someone saved in between (lost update). */
  revision: string;
  modules: Array<{ title: string; titleEn: string; lessons: LessonContent[] }>;
}

export interface PublishResult {
  slug: string;
  status: string;
  version: number;
  versionId: string;
  publishedAt: Date;
  changed: boolean;
}

const MAX_LESSONS = 99;

/** Trainers' side: drafts, lessons, publishing and archiving, each checked against the owner's subtree. */
@Injectable()
export class CourseAuthoringService {
  constructor(
    private readonly tx: TransactionService,
    private readonly tree: OrgTreeService,
    private readonly curriculum: CurriculumService,
    private readonly publisher: CoursePublishService,
    private readonly audit: AuditService,
  ) {}

  /** Courses the actor may edit, every status. */
  async listEditable(actor: Actor): Promise<DraftView[]> {
    return this.tx.run(async (m) => {
      const rows = await m.getRepository(CourseEntity).find({ order: { updatedAt: 'DESC' } });
      const out: DraftView[] = [];
      for (const row of rows) {
        if (canEditCourse(actor, await this.curriculum.ownerPath(row.orgId))) {
          out.push(await this.toDraftView(m, row));
        }
      }
      return out;
    });
  }

  async draft(actor: Actor, slug: string): Promise<DraftView> {
    return this.tx.run(async (m) => this.toDraftView(m, await this.editable(m, actor, slug)));
  }

  async create(actor: Actor, dto: CourseInputDto): Promise<DraftView> {
    const orgId =
      dto.orgId ??
      actor.grants.find((g) => (COURSE_EDITORS as readonly string[]).includes(g.role))?.orgId;
    if (!orgId) {
      throw new CurriculumException('COURSE_ORG_REQUIRED', {}, 'orgId');
    }
    await this.tree.requireAt(actor, COURSE_EDITORS, orgId);
    const content = this.contentFrom(dto, []);
    try {
      return await this.tx.run(async (m) => {
        const now = new Date();
        const course = m.getRepository(CourseEntity).create({
          id: newId(),
          slug: dto.slug,
          orgId,
          trainingKind: dto.trainingKind,
          competencies: dto.competencies ?? [],
          postTypes: dto.postTypes ?? ['head', 'deputy', 'other'],
          levels: dto.levels ?? ['none'],
          status: 'draft',
          currentVersionId: null,
          draft: content,
          draftChecksum: contentChecksum(content),
          createdBy: actor.userId,
          createdAt: now,
          updatedAt: now,
        });
        await m.getRepository(CourseEntity).insert(course);
        await this.audit.record(
          {
            action: 'course.create',
            actor,
            targetType: 'course',
            targetId: course.id,
            orgId,
            details: { slug: dto.slug },
          },
          m,
        );
        return this.toDraftView(m, course);
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new CurriculumException('COURSE_SLUG_TAKEN', { slug: dto.slug }, 'slug');
      }
      throw error;
    }
  }

  /** PUT: replaces the whole draft (settings and lessons); lessons keep their keys when given. */
  async replace(actor: Actor, slug: string, dto: CourseInputDto): Promise<DraftView> {
    if (dto.slug !== slug) {
      throw new CurriculumException('COURSE_SLUG_IMMUTABLE', { slug }, 'slug');
    }
    if (dto.orgId !== undefined) {
      await this.tree.requireAt(actor, COURSE_EDITORS, dto.orgId);
    }
    return this.change(
      actor,
      slug,
      (course) => {
        course.trainingKind = dto.trainingKind;
        course.competencies = dto.competencies ?? course.competencies;
        course.postTypes = dto.postTypes ?? course.postTypes;
        course.levels = dto.levels ?? course.levels;
        course.orgId = dto.orgId ?? course.orgId;
        return this.contentFrom(dto, course.draft.lessons);
      },
      dto.revision,
    );
  }

  /** The settings form of /author: everything but the lessons. */
  async updateSettings(
    actor: Actor,
    slug: string,
    s: CourseSettings,
    revision?: string,
  ): Promise<DraftView> {
    return this.change(
      actor,
      slug,
      (course) => {
        course.trainingKind = s.trainingKind;
        course.competencies = s.competencies ?? [];
        course.postTypes = s.postTypes ?? course.postTypes;
        course.levels = s.levels ?? course.levels;
        return { ...course.draft, ...this.texts(s) };
      },
      revision,
    );
  }

  /** Adds (key null) or changes one lesson of the draft; returns its key. */
  async saveLesson(
    actor: Actor,
    slug: string,
    key: string | null,
    input: LessonInput,
    revision?: string,
  ): Promise<string> {
    let savedIndex = -1;
    const view = await this.change(
      actor,
      slug,
      (course) => {
        const lessons = [...course.draft.lessons];
        const lesson: LessonContent = {
          key: key ?? `00-${nameFromTitle(input.titleEn ?? '')}`,
          title: input.title,
          titleEn: input.titleEn ?? '',
          minutes: input.minutes,
          kind: input.kind,
          module: input.module ?? '',
          moduleEn: input.moduleEn ?? '',
          markdown: input.markdown,
        };
        if (key === null) {
          if (lessons.length >= MAX_LESSONS) {
            throw new CurriculumException('LESSON_LIMIT', { max: MAX_LESSONS });
          }
          lessons.push(lesson);
          savedIndex = lessons.length - 1;
        } else {
          savedIndex = lessons.findIndex((l) => l.key === key);
          if (savedIndex === -1) {
            throw new CurriculumException('LESSON_NOT_FOUND');
          }
          lessons[savedIndex] = lesson;
        }
        return { ...course.draft, lessons: renumberKeys(lessons) };
      },
      revision,
    );
    return view.modules.flatMap((mod) => mod.lessons)[savedIndex]?.key ?? '';
  }

  async moveLesson(
    actor: Actor,
    slug: string,
    key: string,
    direction: 'up' | 'down',
  ): Promise<DraftView> {
    return this.change(actor, slug, (course) => {
      const lessons = [...course.draft.lessons];
      const i = lessons.findIndex((l) => l.key === key);
      if (i === -1) {
        throw new CurriculumException('LESSON_NOT_FOUND');
      }
      const j = direction === 'up' ? i - 1 : i + 1;
      if (j >= 0 && j < lessons.length) {
        [lessons[i], lessons[j]] = [lessons[j], lessons[i]];
      }
      return { ...course.draft, lessons: renumberKeys(lessons) };
    });
  }

  async deleteLesson(actor: Actor, slug: string, key: string): Promise<DraftView> {
    return this.change(actor, slug, (course) => {
      const lessons = course.draft.lessons.filter((l) => l.key !== key);
      if (lessons.length === course.draft.lessons.length) {
        throw new CurriculumException('LESSON_NOT_FOUND');
      }
      return { ...course.draft, lessons: renumberKeys(lessons) };
    });
  }

  /** A new version from the draft; publishing an unchanged draft again makes no new version. */
  async publish(actor: Actor, slug: string): Promise<PublishResult> {
    return this.tx.run(async (m) => {
      const course = await this.editable(m, actor, slug);
      if (course.draft.lessons.length === 0) {
        throw new CurriculumException('COURSE_HAS_NO_LESSONS');
      }
      const current = course.currentVersionId
        ? await m.getRepository(CourseVersionEntity).findOneBy({ id: course.currentVersionId })
        : null;
      if (current && current.checksum === course.draftChecksum && course.status === 'published') {
        return {
          slug,
          status: course.status,
          version: current.version,
          versionId: current.id,
          publishedAt: current.publishedAt,
          changed: false,
        };
      }
      const version =
        current && current.checksum === course.draftChecksum
          ? current
          : await this.publisher.publishIn(m, course, course.draft, actor.userId);
      await m
        .getRepository(CourseEntity)
        .update({ id: course.id }, { status: 'published', updatedAt: new Date() });
      await this.audit.record(
        {
          action: 'course.publish',
          actor,
          targetType: 'course',
          targetId: course.id,
          orgId: course.orgId,
          details: { slug, version: version.version },
        },
        m,
      );
      return {
        slug,
        status: 'published',
        version: version.version,
        versionId: version.id,
        publishedAt: version.publishedAt,
        changed: true,
      };
    });
  }

  async archive(actor: Actor, slug: string): Promise<{ slug: string; status: string }> {
    return this.tx.run(async (m) => {
      const course = await this.editable(m, actor, slug);
      await m
        .getRepository(CourseEntity)
        .update({ id: course.id }, { status: 'archived', updatedAt: new Date() });
      await this.audit.record(
        {
          action: 'course.archive',
          actor,
          targetType: 'course',
          targetId: course.id,
          orgId: course.orgId,
          details: { slug },
        },
        m,
      );
      return { slug, status: 'archived' };
    });
  }

  private async change(
    actor: Actor,
    slug: string,
    edit: (course: CourseEntity) => CourseContent,
    revision?: string,
  ): Promise<DraftView> {
    return this.tx.run(async (m) => {
      const course = await this.editable(m, actor, slug);
      // Two editors of one draft: a save made on the revision both opened must not silently undo the other's
      // work. The check is repeated in the UPDATE itself, so on PostgreSQL two saves in flight cannot both pass.
      const seen = course.draftChecksum;
      if (revision !== undefined && revision !== seen) {
        throw new CurriculumException('DRAFT_CHANGED', {}, 'revision');
      }
      const draft = edit(course);
      course.draft = draft;
      course.draftChecksum = contentChecksum(draft);
      course.updatedAt = new Date();
      if (revision === undefined) {
        await m.getRepository(CourseEntity).save(course);
      } else {
        const saved = await m
          .createQueryBuilder()
          .update(CourseEntity)
          .set({
            draft: course.draft,
            draftChecksum: course.draftChecksum,
            updatedAt: course.updatedAt,
            trainingKind: course.trainingKind,
            competencies: course.competencies,
            postTypes: course.postTypes,
            levels: course.levels,
            orgId: course.orgId,
          })
          .where('id = :id AND draft_checksum = :seen', { id: course.id, seen })
          .execute();
        if (!saved.affected) {
          throw new CurriculumException('DRAFT_CHANGED', {}, 'revision');
        }
      }
      return this.toDraftView(m, course);
    });
  }

  /** The course if the actor may edit it: 404 when they cannot even see it, 403 when they can see but not edit. */
  private async editable(m: EntityManager, actor: Actor, slug: string): Promise<CourseEntity> {
    const course =
      typeof slug === 'string' && slug.length <= 80
        ? await m.getRepository(CourseEntity).findOneBy({ slug })
        : null;
    if (!course) {
      throw new CurriculumException('COURSE_NOT_FOUND');
    }
    const ownerPath = await this.curriculum.ownerPath(course.orgId);
    if (!canEditCourse(actor, ownerPath)) {
      const visible =
        course.currentVersionId !== null &&
        course.status !== 'draft' &&
        canSeeCourse(actor, ownerPath);
      throw new CurriculumException(visible ? 'COURSE_NOT_EDITABLE' : 'COURSE_NOT_FOUND');
    }
    return course;
  }

  private texts(s: CourseSettings): Omit<CourseContent, 'lessons'> {
    const overview = s.overview?.trim() ? s.overview.trim() : s.summary.trim();
    return {
      title: s.title.trim(),
      titleEn: s.titleEn.trim(),
      summary: s.summary.trim() || firstParagraph(overview),
      summaryEn: (s.summaryEn ?? '').trim(),
      overview,
      hours: Math.round(s.hours * 2) / 2,
    };
  }

  private contentFrom(dto: CourseInputDto, previous: LessonContent[]): CourseContent {
    const lessons: LessonContent[] = dto.modules.flatMap((mod) =>
      mod.lessons.map((l) => ({
        key:
          l.key && previous.some((p) => p.key === l.key)
            ? l.key
            : `00-${nameFromTitle(l.titleEn ?? '')}`,
        module: mod.title,
        moduleEn: mod.titleEn ?? '',
        title: l.title,
        titleEn: l.titleEn ?? '',
        minutes: l.minutes,
        kind: l.kind ?? 'reading',
        markdown: l.markdown,
      })),
    );
    if (lessons.length > MAX_LESSONS) {
      throw new CurriculumException('LESSON_LIMIT', { max: MAX_LESSONS });
    }
    return { ...this.texts(dto), lessons: renumberKeys(lessons) };
  }

  private async toDraftView(m: EntityManager, course: CourseEntity): Promise<DraftView> {
    const current = course.currentVersionId
      ? await m.getRepository(CourseVersionEntity).findOneBy({ id: course.currentVersionId })
      : null;
    const modules: DraftView['modules'] = [];
    for (const lesson of course.draft.lessons) {
      const last = modules[modules.length - 1];
      if (last && last.title === lesson.module) {
        last.lessons.push(lesson);
      } else {
        modules.push({ title: lesson.module, titleEn: lesson.moduleEn, lessons: [lesson] });
      }
    }
    return {
      id: course.id,
      slug: course.slug,
      status: course.status,
      orgId: course.orgId,
      version: current?.version ?? 0,
      hasUnpublishedChanges: current?.checksum !== course.draftChecksum,
      title: course.draft.title,
      titleEn: course.draft.titleEn,
      summary: course.draft.summary,
      summaryEn: course.draft.summaryEn,
      overview: course.draft.overview,
      hours: course.draft.hours,
      trainingKind: course.trainingKind,
      competencies: course.competencies,
      postTypes: course.postTypes,
      levels: course.levels,
      updatedAt: course.updatedAt,
      revision: course.draftChecksum,
      modules,
    };
  }
}
