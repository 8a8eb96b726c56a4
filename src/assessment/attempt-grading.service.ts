import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { TransactionService } from '../database/transaction.service';
import { AttemptEntity, AttemptQuestionEntity, NotebookEntryEntity } from './assessment.entities';
import { QuestionCache } from './question-cache';
import { CourseLinks } from './course-links';
import { gradeQuestion, scoreAttempt } from './grading';
import { newId } from '../common/ids';
import { namedQuery } from '../database/named-query';

/** Emitted after commit when a learner passes a quiz (certification listens). */
export interface QuizPassedEvent {
  userId: string;
  quizId: string;
  courseId: string;
  lessonId: string | null;
  scorePercent: number;
  at: string;
}

export const QUIZ_PASSED = 'quiz.passed';

/**
 * Closes and grades an attempt exactly once. The status compare-and-set (`open` -> `submitted`) is the first
 * write of the grading transaction: on PostgreSQL a concurrent submit waits on that row and then matches
 * nothing; on SQLite transactions run one after another. Whoever loses simply reads the stored grade.
 */
@Injectable()
export class AttemptGradingService {
  private readonly logger = new Logger('Grading');

  constructor(
    @InjectRepository(AttemptEntity) private readonly attempts: Repository<AttemptEntity>,
    private readonly tx: TransactionService,
    private readonly courses: CourseLinks,
    private readonly events: EventEmitter2,
    private readonly questionCache: QuestionCache,
  ) {}

  /** Grades the attempt if still open; `auto` marks a close by the deadline (submitted at the deadline). */
  async finalize(attemptId: string, auto: boolean): Promise<AttemptEntity> {
    // Replayable: grading writes rows only; its event is sent after the transaction.
    const passed = await this.tx.runReplayable(async (m) => {
      const now = new Date();
      const before = await m.getRepository(AttemptEntity).findOneBy({ id: attemptId });
      if (!before || before.status !== 'open') {
        return null;
      }
      const submittedAt = auto && before.deadline && before.deadline < now ? before.deadline : now;
      const claimed = await m
        .createQueryBuilder()
        .update(AttemptEntity)
        .set({ status: 'submitted', submittedAt, autoSubmitted: auto })
        .where('id = :id AND status = :open', { id: attemptId, open: 'open' })
        .execute();
      if (!claimed.affected) {
        return null;
      }
      return this.grade(m, before, submittedAt);
    });
    if (passed) {
      await this.events.emitAsync(QUIZ_PASSED, passed);
    }
    const after = await this.attempts.findOneBy({ id: attemptId });
    if (!after) {
      throw new Error(`attempt ${attemptId} vanished`);
    }
    return after;
  }

  /** Grades a just-claimed attempt inside `m` (also used by the demo seed). */
  async grade(m: EntityManager, attempt: AttemptEntity, at: Date): Promise<QuizPassedEvent | null> {
    const quiz = await this.questionCache.quiz(m, attempt.quizId);
    if (!quiz) {
      throw new Error(`attempt ${attempt.id}: quiz ${attempt.quizId} not found`);
    }
    const rows = await m
      .getRepository(AttemptQuestionEntity)
      .find({ where: { attemptId: attempt.id }, order: { position: 'ASC' } });
    const byId = await this.questionCache.byIds(
      m,
      rows.map((r) => r.questionId),
    );
    const credits: number[] = [];
    const wrong: string[] = [];
    // Every row's result in one UPDATE, a CASE per column: on SQLite each statement is a round trip on the one
    // connection, and a grading wrote one UPDATE per distinct result (three to six per attempt).
    const params: Record<string, unknown> = {};
    const creditWhen: string[] = [];
    const correctWhen: string[] = [];
    rows.forEach((row, k) => {
      const q = byId.get(row.questionId);
      const g = q ? gradeQuestion(q.type, q.parts, row.response) : { credit: 0, correct: false };
      credits.push(g.credit);
      if (!g.correct) {
        wrong.push(row.questionId);
      }
      Object.assign(params, {
        [`row${k}`]: row.id,
        [`credit${k}`]: g.credit,
        [`correct${k}`]: g.correct,
      });
      creditWhen.push(`WHEN :row${k} THEN CAST(:credit${k} AS double precision)`);
      correctWhen.push(`WHEN :row${k} THEN CAST(:correct${k} AS boolean)`);
    });
    if (rows.length > 0) {
      // Written as SQL, not built: the query builder's rewriting of property names through this long statement
      // was ~8% of a submit's CPU (profile of the bench's submit wave).
      await namedQuery(
        m,
        `UPDATE attempt_questions SET credit = CASE id ${creditWhen.join(' ')} END,
           correct = CASE id ${correctWhen.join(' ')} END
         WHERE id IN (:...ids)`,
        { ...params, ids: rows.map((r) => r.id) },
      );
    }
    const score = scoreAttempt(credits, quiz.passMark);
    await m.getRepository(AttemptEntity).update(
      { id: attempt.id },
      {
        score: score.score,
        maxScore: score.maxScore,
        scorePercent: score.scorePercent,
        passed: score.passed,
      },
    );
    await this.toNotebook(m, attempt.userId, quiz.id, wrong, at);
    if (!score.passed) {
      return null;
    }
    const course = await this.courses.course(quiz.courseSlug, m);
    if (course) {
      // Credited once per quiz per person (the quiz id is the activity), however many attempts pass.
      await this.courses.credit(m, {
        userId: attempt.userId,
        quizId: quiz.id,
        trainingKind: course.trainingKind,
        occurredAt: at,
        title: quiz.title,
        courseSlug: course.slug,
      });
    } else {
      this.logger.warn(
        `quiz ${quiz.id}: course ${quiz.courseSlug} not found, no study hours credited`,
      );
    }
    return {
      userId: attempt.userId,
      quizId: quiz.id,
      courseId: quiz.courseId,
      lessonId: quiz.lessonId,
      scorePercent: score.scorePercent,
      at: at.toISOString(),
    };
  }

  /** Every question answered wrong (or partly) goes (back) into the notebook with its right-count reset. */
  private async toNotebook(
    m: EntityManager,
    userId: string,
    quizId: string,
    questionIds: string[],
    at: Date,
  ): Promise<void> {
    if (questionIds.length === 0) {
      return;
    }
    const repo = m.getRepository(NotebookEntryEntity);
    const existing = await repo.find({ where: { userId, questionId: In(questionIds) } });
    const byQuestion = new Map(existing.map((e) => [e.questionId, e]));
    const fresh: string[] = [];
    for (const questionId of questionIds) {
      const entry = byQuestion.get(questionId);
      if (entry) {
        await repo.update(
          { id: entry.id },
          {
            timesWrong: entry.timesWrong + 1,
            rightCount: 0,
            clearedAt: null,
            quizId,
            addedAt: entry.clearedAt ? at : entry.addedAt,
          },
        );
      } else {
        fresh.push(questionId);
      }
    }
    // New entries in one multi-row INSERT (a first attempt that goes badly puts most of its questions here),
    // written as SQL: building it through the entity was ~6% of a submit's CPU.
    if (fresh.length > 0) {
      const params: Record<string, unknown> = { userId, quizId, at: at.toISOString() };
      const rows = fresh.map((questionId, k) => {
        params[`id${k}`] = newId();
        params[`question${k}`] = questionId;
        return `(:id${k}, :userId, :question${k}, :quizId, 1, 0, :at, NULL, NULL)`;
      });
      await namedQuery(
        m,
        `INSERT INTO notebook_entries (id, user_id, question_id, quiz_id, times_wrong, right_count, added_at,
           practised_at, cleared_at) VALUES ${rows.join(', ')}`,
        params,
      );
    }
  }
}
