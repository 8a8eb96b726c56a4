import { CourseExtrasService } from '../curriculum/course-extras.service';
import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { Actor, holdsRole } from '../common/access/actor';
import { CurriculumService, LessonSummary } from '../curriculum/curriculum.service';
import { COMPETENCIES, TRAINING_KINDS } from '../curriculum/course-files';
import { CatalogueQuery } from '../curriculum/dto/course.dto';
import { EnrolmentService } from './enrolment.service';
import { LedgerService } from './ledger.service';
import { LessonProgressService } from './lesson-progress.service';
import { LessonViewLog } from './lesson-view-log';

const percentOf = (done: number, total: number): number =>
  total > 0 ? Math.min(100, Math.round((done / total) * 100)) : 0;

/** View models of the learner's pages; every access rule lives in the services they call. */
/** A quiz as the assessment module lists it on a course. */
interface CourseQuizLink {
  id: string;
  title: string;
  titleEn?: string;
  isFinal?: boolean;
  passed?: boolean;
}

@Injectable()
export class LearningPagesService {
  constructor(
    private readonly curriculum: CurriculumService,
    private readonly enrolments: EnrolmentService,
    private readonly progress: LessonProgressService,
    private readonly ledger: LedgerService,
    private readonly extras: CourseExtrasService,
    private readonly views: LessonViewLog,
  ) {}

  async catalogue(actor: Actor, query: CatalogueQuery) {
    const all = await this.curriculum.listVisible(actor);
    const courses = all.filter(
      (c) =>
        (!query.kind || c.trainingKind === query.kind) &&
        (!query.competency || c.competencies.includes(query.competency)),
    );
    const mine = await this.enrolments.standingIn(
      actor.userId,
      courses.map((c) => c.id),
    );
    return {
      kind: query.kind ?? '',
      competency: query.competency ?? '',
      kinds: TRAINING_KINDS.map((value) => ({ value, selected: value === query.kind })),
      competencies: COMPETENCIES.map((value) => ({ value, selected: value === query.competency })),
      total: all.length,
      courses: courses.map((c) => {
        const e = mine.get(c.id);
        return {
          slug: c.slug,
          title: c.title,
          titleEn: c.titleEn,
          summary: c.summary,
          summaryEn: c.summaryEn,
          trainingKind: c.trainingKind,
          hours: c.hours,
          competencies: c.competencies,
          lessonCount: c.lessonCount,
          state: e?.completed ? 'completed' : e ? 'enrolled' : 'none',
          dueDate: e?.dueDate ?? null,
        };
      }),
    };
  }

  async course(actor: Actor, slug: string) {
    const access = await this.curriculum.requireVisible(actor, slug);
    const course = access.course;
    await this.views.settle(actor.userId); // "continue where you left off" shows the latest view
    const enrolment = await this.enrolments.find(actor.userId, course.id);
    const versionId = enrolment?.versionId ?? course.versionId;
    const outline = versionId ? await this.curriculum.outline(versionId) : null;
    const doneKeys = enrolment
      ? await this.progress.completedKeys(actor.userId, course.id)
      : new Set<string>();
    const lessons = outline?.lessons ?? [];
    const doneCount = lessons.filter((l) => doneKeys.has(l.key)).length;
    const resumeFrom = enrolment?.lastLessonId
      ? lessons.find((l) => l.id === enrolment.lastLessonId)
      : undefined;
    const firstOpen = lessons.find((l) => !doneKeys.has(l.key));
    // Other modules add to a course (the assessment module its quizzes), as they do for the JSON twin.
    const extras = await this.extras.collect(course.id, actor);
    const quizzes = Array.isArray(extras.quizzes) ? (extras.quizzes as CourseQuizLink[]) : [];
    const resume =
      resumeFrom && !doneKeys.has(resumeFrom.key)
        ? resumeFrom
        : (firstOpen ?? resumeFrom ?? lessons[0]);
    return {
      course: {
        slug: course.slug,
        title: outline?.title ?? course.title,
        titleEn: outline?.titleEn ?? course.titleEn,
        summaryEn: outline?.summaryEn ?? course.summaryEn,
        overviewHtml: outline?.overviewHtml ?? '',
        trainingKind: course.trainingKind,
        hours: outline?.hours ?? course.hours,
        competencies: course.competencies,
        version: outline?.version ?? 0,
        status: course.status,
      },
      quizzes: quizzes.map((q) => ({
        id: q.id,
        title: q.title,
        titleEn: q.titleEn ?? q.title,
        isFinal: Boolean(q.isFinal),
        passed: Boolean(q.passed),
      })),
      canEdit: access.canEdit,
      canEnrol: !enrolment && course.status === 'published' && course.versionId !== null,
      enrolled: enrolment !== null,
      completedAt: enrolment?.completedAt ?? null,
      dueDate: enrolment?.dueDate ?? null,
      assigned: Boolean(enrolment?.assignedBy),
      newerVersion:
        enrolment !== null && course.versionId !== null && enrolment.versionId !== course.versionId,
      doneCount,
      total: lessons.length,
      percent: percentOf(doneCount, lessons.length),
      resume:
        enrolment && resume
          ? {
              id: resume.id,
              title: resume.title,
              titleEn: resume.titleEn,
              started: doneCount > 0 || Boolean(enrolment.lastLessonId),
            }
          : null,
      modules: (outline?.modules ?? []).map((m) => ({
        title: m.title,
        titleEn: m.titleEn,
        lessons: m.lessons.map((l) => ({
          id: l.id,
          title: l.title,
          titleEn: l.titleEn,
          minutes: l.minutes,
          kind: l.kind,
          done: doneKeys.has(l.key),
          position: l.position,
        })),
      })),
    };
  }

  async lesson(actor: Actor, lessonId: string) {
    const lesson = await this.progress.view(actor, lessonId);
    const outline = await this.curriculum.outline(lesson.versionId);
    const lessons: LessonSummary[] = outline?.lessons ?? [];
    const index = lessons.findIndex((l) => l.id === lesson.id);
    const neighbour = (l: LessonSummary | undefined) =>
      l ? { id: l.id, title: l.title, titleEn: l.titleEn } : null;
    return {
      lesson: {
        id: lesson.id,
        title: lesson.title,
        titleEn: lesson.titleEn,
        html: lesson.html,
        minutes: lesson.minutes,
        kind: lesson.kind,
        moduleTitle: lesson.moduleTitle,
        moduleTitleEn: lesson.moduleTitleEn,
      },
      course: { slug: lesson.courseSlug, title: lesson.courseTitle, titleEn: lesson.courseTitleEn },
      enrolled: lesson.enrolled,
      done: lesson.completedAt !== null,
      completedAt: lesson.completedAt,
      position: index + 1,
      total: lessons.length,
      prev: neighbour(lessons[index - 1]),
      next: neighbour(lessons[index + 1]),
    };
  }

  async transcript(actor: Actor) {
    const t = await this.ledger.transcript(actor.userId);
    return {
      year: t.year,
      totals: {
        hours: t.totals.hours,
        byKind: Object.entries(t.totals.byKind).map(([kind, hours]) => ({ kind, hours })),
      },
      requirements: t.requirements.map((r) => ({
        ...r,
        percent: percentOf(r.done, r.required),
        met: r.gap === 0,
      })),
      entries: t.entries.map((e) => ({
        date: e.date,
        hours: e.hours,
        trainingKind: e.trainingKind,
        type: e.source.type,
        title: e.source.title,
        courseSlug: e.source.courseSlug,
      })),
    };
  }

  /** Home block for learners: assigned and in-progress courses with due dates, and this year's hours gap. */
  async homeSection(actor: Actor) {
    if (!holdsRole(actor, ['learner'])) {
      return null;
    }
    const enrolments = (await this.enrolments.listFor(actor.userId)).filter((e) => !e.completedAt);
    const today = DateTime.now().setZone('Asia/Shanghai').toISODate() ?? '';
    const courses = [];
    for (const e of enrolments) {
      const course = await this.curriculum.findCourseById(e.courseId);
      const outline = await this.curriculum.outline(e.versionId);
      if (!course || !outline) {
        continue;
      }
      const done = await this.progress.completedKeys(actor.userId, e.courseId);
      const doneCount = outline.lessons.filter((l) => done.has(l.key)).length;
      courses.push({
        slug: course.slug,
        title: outline.title,
        titleEn: outline.titleEn,
        dueDate: e.dueDate,
        overdue: e.dueDate !== null && e.dueDate < today,
        assigned: e.assignedBy !== null,
        percent: percentOf(doneCount, outline.lessons.length),
      });
    }
    // Assigned work with the nearest due date first.
    courses.sort((a, b) => (a.dueDate ?? '9999').localeCompare(b.dueDate ?? '9999'));
    const t = await this.ledger.transcript(actor.userId);
    return {
      partial: 'home_learning',
      data: {
        courses,
        requirements: t.requirements.map((r) => ({ ...r, percent: percentOf(r.done, r.required) })),
        year: t.year,
      },
    };
  }
}
