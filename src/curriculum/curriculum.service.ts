import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { Actor } from '../common/access/actor';
import { OrgTreeService } from '../organizations/org-tree.service';
import { canEditCourse, canSeeCourse } from './course-access';
import { lessonName } from './course-files';
import { CourseVersionEntity } from './course-version.entity';
import { CourseEntity } from './course.entity';
import { CurriculumException } from './curriculum.exception';
import { CurriculumReadCache } from './curriculum-read-cache';
import { LessonEntity } from './lesson.entity';

export interface CourseSummary {
  id: string;
  slug: string;
  title: string;
  titleEn: string;
  summary: string;
  summaryEn: string;
  trainingKind: string;
  hours: number;
  competencies: string[];
  postTypes: string[];
  levels: string[];
  orgId: string | null;
  /** The current published version; null (and version 0) for a course never published. */
  versionId: string | null;
  version: number;
  status: string;
  lessonCount: number;
}

export interface LessonSummary {
  id: string;
  key: string;
  courseId: string;
  courseSlug: string;
  courseTitle: string;
  courseTitleEn: string;
  title: string;
  titleEn: string;
  minutes: number;
  kind: string;
  trainingKind: string;
  versionId: string;
  position: number;
}

export interface LessonDetail extends LessonSummary {
  moduleTitle: string;
  moduleTitleEn: string;
  html: string;
}

export interface VersionOutline {
  versionId: string;
  version: number;
  title: string;
  titleEn: string;
  summary: string;
  summaryEn: string;
  overviewHtml: string;
  hours: number;
  publishedAt: Date;
  lessons: LessonSummary[];
  modules: Array<{ title: string; titleEn: string; lessons: LessonSummary[] }>;
}

/** A course as the learning side sees it: the row facts plus who may see and edit it. */
export interface CourseAccess {
  course: CourseSummary;
  ownerPath: string | null;
  canEdit: boolean;
}

/** Read side of the curriculum for other modules (learning, assessment, study days, reports). */
@Injectable()
export class CurriculumService {
  constructor(
    @InjectRepository(CourseEntity) private readonly courses: Repository<CourseEntity>,
    @InjectRepository(CourseVersionEntity)
    private readonly versions: Repository<CourseVersionEntity>,
    @InjectRepository(LessonEntity) private readonly lessons: Repository<LessonEntity>,
    private readonly tree: OrgTreeService,
    private readonly cache: CurriculumReadCache,
  ) {}

  async findCourse(slug: string): Promise<CourseSummary | null> {
    if (typeof slug !== 'string' || slug === '' || slug.length > 80) {
      return null;
    }
    return this.cache.get(`course-slug:${slug}`, async () => {
      const course = await this.courses.findOneBy({ slug });
      return course ? ((await this.summarise([course]))[0] ?? null) : null;
    });
  }

  async findCourseById(id: string): Promise<CourseSummary | null> {
    if (typeof id !== 'string' || id === '' || id.length > 36) {
      return null;
    }
    // Certification re-reads every completed course of a person on each of their events: cached.
    return this.cache.get(`course:${id}`, async () => {
      const course = await this.courses.findOneBy({ id });
      return course ? ((await this.summarise([course]))[0] ?? null) : null;
    });
  }

  async findLesson(lessonId: string): Promise<LessonSummary | null> {
    return (await this.lessonSummaries([lessonId]))[0] ?? null;
  }

  /** A lesson of the current published version by its file key; `02-x` still finds `03-x` after a reorder. */
  async findLessonByKey(courseSlug: string, key: string): Promise<LessonSummary | null> {
    const course =
      typeof courseSlug === 'string' && courseSlug.length <= 80
        ? await this.courses.findOneBy({ slug: courseSlug })
        : null;
    if (!course?.currentVersionId || typeof key !== 'string') {
      return null;
    }
    const rows = await this.lessons.findBy({ versionId: course.currentVersionId });
    const row =
      rows.find((l) => l.key === key) ?? rows.find((l) => lessonName(l.key) === lessonName(key));
    return row ? ((await this.toSummaries([row]))[0] ?? null) : null;
  }

  async lessonSummaries(ids: string[]): Promise<LessonSummary[]> {
    const valid = [
      ...new Set(ids.filter((id) => typeof id === 'string' && id !== '' && id.length <= 36)),
    ];
    if (valid.length === 0) {
      return [];
    }
    const rows = await this.lessons.findBy({ id: In(valid) });
    const summaries = await this.toSummaries(rows);
    const byId = new Map(summaries.map((s) => [s.id, s]));
    return valid.map((id) => byId.get(id)).filter((s): s is LessonSummary => s !== undefined);
  }

  async lessonDetail(lessonId: string): Promise<LessonDetail | null> {
    if (typeof lessonId !== 'string' || lessonId === '' || lessonId.length > 36) {
      return null;
    }
    return this.cache.get(`lesson:${lessonId}`, () => this.loadLessonDetail(lessonId));
  }

  private async loadLessonDetail(lessonId: string): Promise<LessonDetail | null> {
    const row = await this.lessons.findOneBy({ id: lessonId });
    if (!row) {
      return null;
    }
    const [summary] = await this.toSummaries([row]);
    return summary
      ? {
          ...summary,
          moduleTitle: row.moduleTitle,
          moduleTitleEn: row.moduleTitleEn,
          html: row.html,
        }
      : null;
  }

  async listPublished(): Promise<CourseSummary[]> {
    return this.published();
  }

  /** Published courses the actor may see (the catalogue). */
  async listVisible(actor: Actor): Promise<CourseSummary[]> {
    const visible: CourseSummary[] = [];
    for (const course of await this.published()) {
      // Owner paths come from the org tree's own cache, so a moved organisation counts at once.
      if (canSeeCourse(actor, await this.ownerPath(course.orgId))) {
        visible.push(course);
      }
    }
    return visible;
  }

  /** Every published course by slug; read by every catalogue view, so kept in the read cache. */
  private async published(): Promise<CourseSummary[]> {
    const list = await this.cache.get('published', async () =>
      this.summarise(
        await this.courses.find({ where: { status: 'published' }, order: { slug: 'ASC' } }),
      ),
    );
    return list ?? [];
  }

  /** A course the actor may see; anything else (unknown, out of scope, unpublished for a learner) is a 404. */
  async requireVisible(actor: Actor, slug: string): Promise<CourseAccess> {
    const course =
      typeof slug === 'string' && slug.length <= 80 ? await this.courses.findOneBy({ slug }) : null;
    if (!course) {
      throw new CurriculumException('COURSE_NOT_FOUND');
    }
    return this.accessFor(actor, course);
  }

  async requireVisibleById(actor: Actor, courseId: string): Promise<CourseAccess> {
    const course =
      typeof courseId === 'string' && courseId.length <= 36
        ? await this.courses.findOneBy({ id: courseId })
        : null;
    if (!course) {
      throw new CurriculumException('COURSE_NOT_FOUND');
    }
    return this.accessFor(actor, course);
  }

  /** May the person of `orgPath` see a course (used when a secretary assigns it to someone). */
  async visibleToOrg(courseId: string, orgPath: string): Promise<boolean> {
    const course = await this.courses.findOneBy({ id: courseId });
    if (!course) {
      return false;
    }
    const owner = await this.ownerPath(course.orgId);
    return owner === null || orgPath.startsWith(owner);
  }

  async outline(versionId: string): Promise<VersionOutline | null> {
    if (typeof versionId !== 'string' || versionId === '' || versionId.length > 36) {
      return null;
    }
    return this.cache.get(`outline:${versionId}`, () => this.loadOutline(versionId));
  }

  private async loadOutline(versionId: string): Promise<VersionOutline | null> {
    const version = await this.versions.findOneBy({ id: versionId });
    if (!version) {
      return null;
    }
    const rows = await this.lessons.find({ where: { versionId }, order: { position: 'ASC' } });
    const lessons = await this.toSummaries(rows);
    const modules: VersionOutline['modules'] = [];
    rows.forEach((row, i) => {
      const last = modules[modules.length - 1];
      const lesson = lessons[i];
      if (last && last.title === row.moduleTitle) {
        last.lessons.push(lesson);
      } else {
        modules.push({ title: row.moduleTitle, titleEn: row.moduleTitleEn, lessons: [lesson] });
      }
    });
    return {
      versionId: version.id,
      version: version.version,
      title: version.title,
      titleEn: version.titleEn,
      summary: version.summary,
      summaryEn: version.summaryEn,
      overviewHtml: version.overviewHtml,
      hours: version.hours,
      publishedAt: version.publishedAt,
      lessons,
      modules,
    };
  }

  async ownerPath(orgId: string | null): Promise<string | null> {
    if (!orgId) {
      return null;
    }
    // An owner node that vanished leaves the course with the narrowest scope possible.
    return (await this.tree.find(orgId))?.path ?? `/${orgId}/`;
  }

  private async accessFor(actor: Actor, course: CourseEntity): Promise<CourseAccess> {
    const ownerPath = await this.ownerPath(course.orgId);
    const canEdit = canEditCourse(actor, ownerPath);
    const seesPublished =
      course.currentVersionId !== null &&
      course.status !== 'draft' &&
      canSeeCourse(actor, ownerPath);
    if (!canEdit && !seesPublished) {
      throw new CurriculumException('COURSE_NOT_FOUND');
    }
    const [summary] = await this.summarise([course]);
    return { course: summary, ownerPath, canEdit };
  }

  private async summarise(rows: CourseEntity[]): Promise<CourseSummary[]> {
    const versionIds = rows.map((r) => r.currentVersionId).filter((v): v is string => v !== null);
    const versions = versionIds.length ? await this.versions.findBy({ id: In(versionIds) }) : [];
    const counts = versionIds.length
      ? await this.lessons
          .createQueryBuilder('l')
          .select('l.version_id', 'versionId')
          .addSelect('COUNT(*)', 'n')
          .where('l.version_id IN (:...ids)', { ids: versionIds })
          .groupBy('l.version_id')
          .getRawMany<{ versionId: string; n: string | number }>()
      : [];
    const byId = new Map(versions.map((v) => [v.id, v]));
    const countOf = new Map(counts.map((c) => [c.versionId, Number(c.n)]));
    return rows.map((course) => {
      const v = course.currentVersionId ? byId.get(course.currentVersionId) : undefined;
      const text = v ?? course.draft;
      return {
        id: course.id,
        slug: course.slug,
        title: text.title,
        titleEn: text.titleEn,
        summary: text.summary,
        summaryEn: text.summaryEn,
        trainingKind: course.trainingKind,
        hours: text.hours,
        competencies: course.competencies,
        postTypes: course.postTypes,
        levels: course.levels,
        orgId: course.orgId,
        versionId: v?.id ?? null,
        version: v?.version ?? 0,
        status: course.status,
        lessonCount: v ? (countOf.get(v.id) ?? 0) : course.draft.lessons.length,
      };
    });
  }

  private async toSummaries(rows: LessonEntity[]): Promise<LessonSummary[]> {
    if (rows.length === 0) {
      return [];
    }
    const courses = await this.courses.findBy({
      id: In([...new Set(rows.map((r) => r.courseId))]),
    });
    const versions = await this.versions.findBy({
      id: In([...new Set(rows.map((r) => r.versionId))]),
    });
    const courseOf = new Map(courses.map((c) => [c.id, c]));
    const versionOf = new Map(versions.map((v) => [v.id, v]));
    return rows.flatMap((row) => {
      const course = courseOf.get(row.courseId);
      const version = versionOf.get(row.versionId);
      if (!course || !version) {
        return [];
      }
      return [
        {
          id: row.id,
          key: row.key,
          courseId: course.id,
          courseSlug: course.slug,
          courseTitle: version.title,
          courseTitleEn: version.titleEn,
          title: row.title,
          titleEn: row.titleEn,
          minutes: row.minutes,
          kind: row.kind,
          trainingKind: course.trainingKind,
          versionId: row.versionId,
          position: row.position,
        },
      ];
    });
  }
}
