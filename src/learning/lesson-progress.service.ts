import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, IsNull, Not, Repository } from 'typeorm';
import { Actor } from '../common/access/actor';
import { TransactionService } from '../database/transaction.service';
import { SqliteReaders } from '../database/sqlite-readers';
import { CurriculumService, LessonDetail, VersionOutline } from '../curriculum/curriculum.service';
import { EnrolmentEntity } from './enrolment.entity';
import { EnrolmentService } from './enrolment.service';
import { LearningException } from './learning.exception';
import { LedgerService } from './ledger.service';
import { LessonProgressEntity } from './lesson-progress.entity';
import { LessonViewLog } from './lesson-view-log';
import { newId } from '../common/ids';

export interface LessonCompletedEvent {
  userId: string;
  lessonId: string;
  courseId: string;
  at: Date;
}

export interface CourseCompletedEvent {
  userId: string;
  courseId: string;
  slug: string;
  trainingKind: string;
  at: Date;
}

export interface CompletionResult {
  lessonId: string;
  completedAt: Date;
  /** True only for the request that completed the lesson (repeats and concurrent twins get false). */
  newlyCompleted: boolean;
  credited: boolean;
  hours: number;
  courseCompleted: boolean;
}

export interface LessonView extends LessonDetail {
  completedAt: Date | null;
  enrolled: boolean;
  canEdit: boolean;
}

/** Lesson views, completions (credited once) and the course completion they lead to. */
@Injectable()
export class LessonProgressService {
  constructor(
    @InjectRepository(LessonProgressEntity)
    private readonly progress: Repository<LessonProgressEntity>,
    private readonly tx: TransactionService,
    private readonly curriculum: CurriculumService,
    private readonly enrolments: EnrolmentService,
    private readonly ledger: LedgerService,
    private readonly events: EventEmitter2,
    private readonly views: LessonViewLog,
    private readonly readers: SqliteReaders,
  ) {}

  async completedLessonIds(userId: string, lessonIds: string[]): Promise<Set<string>> {
    const ids = lessonIds.filter((id) => typeof id === 'string' && id.length <= 36);
    if (ids.length === 0) {
      return new Set();
    }
    const rows = await this.progress.findBy({
      userId,
      lessonId: In(ids),
      completedAt: Not(IsNull()),
    });
    return new Set(rows.map((r) => r.lessonId));
  }

  /** Keys of the lessons of a course a person has completed, whatever version they were in. */
  async completedKeys(userId: string, courseId: string): Promise<Set<string>> {
    const rows = await this.progress.findBy({ userId, courseId, completedAt: Not(IsNull()) });
    return new Set(rows.map((r) => r.lessonKey));
  }

  /** Reads a lesson: enrolled learners and the course's editors; a learner's view is remembered for "resume". */
  async view(actor: Actor, lessonId: string): Promise<LessonView> {
    const lesson = await this.curriculum.lessonDetail(lessonId);
    if (!lesson) {
      throw new LearningException('LESSON_NOT_FOUND');
    }
    // The page's one query on the way to a learner: their enrolment and whether this lesson is done, together.
    // Written as SQL, not built (building it was ~15% of a lesson page's CPU), on a lookup connection.
    const [state] = (await this.readers.lookup(
      `SELECT e.id AS id, p.completed_at AS completed_at FROM enrolments e
       LEFT JOIN lesson_progress p ON p.user_id = e.user_id AND p.lesson_id = :lessonId
       WHERE e.user_id = :userId AND e.course_id = :courseId`,
      { lessonId: lesson.id, userId: actor.userId, courseId: lesson.courseId },
    )) as Array<{ id: string; completed_at: string | Date | null }>;
    if (state) {
      this.views.note({ userId: actor.userId, enrolmentId: state.id, lesson, at: new Date() });
      const completedAt = state.completed_at ? new Date(state.completed_at) : null;
      return { ...lesson, completedAt, enrolled: true, canEdit: false };
    }
    // Not enrolled: out of scope looks exactly like a missing lesson; in scope, only editors may read it.
    const access = await this.curriculum
      .requireVisibleById(actor, lesson.courseId)
      .catch(() => null);
    if (!access) {
      throw new LearningException('LESSON_NOT_FOUND');
    }
    if (!access.canEdit) {
      throw new LearningException('LESSON_NOT_ENROLLED');
    }
    return { ...lesson, completedAt: null, enrolled: false, canEdit: true };
  }

  async complete(actor: Actor, lessonId: string): Promise<CompletionResult> {
    const { lesson, enrolment } = await this.access(actor, lessonId);
    if (!enrolment) {
      throw new LearningException('LESSON_NOT_ENROLLED');
    }
    // Read outside the transaction first: on PostgreSQL a pool connection taken inside it while concurrent
    // completions hold every other one (waiting on this row) would deadlock the pool.
    await this.ledger.rules();
    const outline = await this.curriculum.outline(enrolment.versionId);
    const { result, courseEvent } = await this.tx.run((m) =>
      this.completeIn(m, actor.userId, lesson, new Date(), outline),
    );
    if (result.newlyCompleted) {
      await this.events.emitAsync('lesson.completed', {
        userId: actor.userId,
        lessonId: lesson.id,
        courseId: lesson.courseId,
        at: result.completedAt,
      } satisfies LessonCompletedEvent);
    }
    if (courseEvent) {
      await this.events.emitAsync('course.completed', courseEvent);
    }
    return result;
  }

  /**
   * Inside the caller's transaction (also used by the demo seed). The progress row and the ledger row are each
   * guarded by a unique constraint, so concurrent completions credit once.
   */
  async completeIn(
    m: EntityManager,
    userId: string,
    lesson: LessonDetail,
    at: Date,
    outline?: VersionOutline | null,
  ): Promise<{ result: CompletionResult; courseEvent: CourseCompletedEvent | null }> {
    const repo = m.getRepository(LessonProgressEntity);
    const { row, inserted } = await this.upsertProgress(m, userId, lesson, at, at);
    let newlyCompleted = inserted;
    if (row.completedAt === null) {
      const update = await repo
        .createQueryBuilder()
        .update(LessonProgressEntity)
        .set({ completedAt: at, lastViewedAt: at })
        .where('id = :id AND completed_at IS NULL', { id: row.id })
        .execute();
      newlyCompleted = (update.affected ?? 0) > 0;
    }
    const completedAt = newlyCompleted
      ? at
      : ((await repo.findOneBy({ id: row.id }))?.completedAt ?? at);
    let credited = false;
    let hours = 0;
    if (newlyCompleted) {
      // The same lesson completed in an earlier version of the course has already earned its hours.
      const twin = await repo.findOne({
        where: {
          userId,
          courseId: lesson.courseId,
          lessonKey: lesson.key,
          completedAt: Not(IsNull()),
          lessonId: Not(lesson.id),
        },
      });
      if (!twin) {
        ({ credited, hours } = await this.ledger.credit(m, {
          userId,
          activityType: 'lesson',
          activityId: lesson.id,
          trainingKind: lesson.trainingKind,
          occurredAt: at,
          title: `${lesson.courseTitle} · ${lesson.title}`,
          courseSlug: lesson.courseSlug,
          basis: { minutes: lesson.minutes },
        }));
      }
    }
    const courseEvent = newlyCompleted
      ? await this.completeCourseIfDone(m, userId, lesson, at, outline)
      : null;
    return {
      result: {
        lessonId: lesson.id,
        completedAt,
        newlyCompleted,
        credited,
        hours,
        courseCompleted: courseEvent !== null,
      },
      courseEvent,
    };
  }

  private async completeCourseIfDone(
    m: EntityManager,
    userId: string,
    lesson: LessonDetail,
    at: Date,
    known?: VersionOutline | null,
  ): Promise<CourseCompletedEvent | null> {
    const enrolment = await m
      .getRepository(EnrolmentEntity)
      .findOneBy({ userId, courseId: lesson.courseId });
    if (!enrolment || enrolment.completedAt) {
      return null;
    }
    const outline =
      known !== undefined && known?.versionId === enrolment.versionId
        ? known
        : await this.curriculum.outline(enrolment.versionId);
    const done = new Set(
      (
        await m
          .getRepository(LessonProgressEntity)
          .findBy({ userId, courseId: lesson.courseId, completedAt: Not(IsNull()) })
      ).map((r) => r.lessonKey),
    );
    if (!outline || !outline.lessons.every((l) => done.has(l.key))) {
      return null;
    }
    const update = await m
      .createQueryBuilder()
      .update(EnrolmentEntity)
      .set({ completedAt: at })
      .where('id = :id AND completed_at IS NULL', { id: enrolment.id })
      .execute();
    if ((update.affected ?? 0) === 0) {
      return null;
    }
    return {
      userId,
      courseId: lesson.courseId,
      slug: lesson.courseSlug,
      trainingKind: lesson.trainingKind,
      at,
    };
  }

  /** The lesson, the actor's enrolment in its course (any version) and whether they edit the course. */
  private async access(
    actor: Actor,
    lessonId: string,
  ): Promise<{ lesson: LessonDetail; enrolment: EnrolmentEntity | null; canEdit: boolean }> {
    const lesson = await this.curriculum.lessonDetail(lessonId);
    if (!lesson) {
      throw new LearningException('LESSON_NOT_FOUND');
    }
    const enrolment = await this.enrolments.find(actor.userId, lesson.courseId);
    if (enrolment) {
      return { lesson, enrolment, canEdit: false };
    }
    // Not enrolled: out of scope looks exactly like a missing lesson.
    const access = await this.curriculum
      .requireVisibleById(actor, lesson.courseId)
      .catch(() => null);
    if (!access) {
      throw new LearningException('LESSON_NOT_FOUND');
    }
    return { lesson, enrolment: null, canEdit: access.canEdit };
  }

  /** Inserts the progress row unless it exists; `inserted` says whether this call made it. */
  private async upsertProgress(
    m: EntityManager,
    userId: string,
    lesson: LessonDetail,
    now: Date,
    completedAt: Date | null = null,
  ): Promise<{ row: LessonProgressEntity; inserted: boolean }> {
    const id = newId();
    await m
      .createQueryBuilder()
      .insert()
      .into(LessonProgressEntity)
      .values({
        id,
        userId,
        lessonId: lesson.id,
        courseId: lesson.courseId,
        versionId: lesson.versionId,
        lessonKey: lesson.key,
        firstViewedAt: now,
        lastViewedAt: now,
        completedAt,
      })
      .orIgnore()
      .execute();
    const row = await m
      .getRepository(LessonProgressEntity)
      .findOneByOrFail({ userId, lessonId: lesson.id });
    return { row, inserted: row.id === id };
  }
}
