import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { TransactionService } from '../database/transaction.service';
import { AttemptEntity } from './assessment.entities';
import { QuestionCache } from './question-cache';
import { CourseLinks } from './course-links';
import { AnswerResponse, AttemptScore, gradeQuestion, scoreAttempt } from './grading';
import { newId } from '../common/ids';
import { namedQuery, namedWrite } from '../database/named-query';

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

/** The columns of an attempt that grading reads (instants are ISO text on both databases). */
interface AttemptRow {
  id: string;
  quiz_id: string;
  user_id: string;
  status: string;
  deadline: string | null;
}

/** How a close ended: graded by this call (with its grade), found closed already, or not there (for this owner). */
export type CloseOutcome =
  { state: 'graded'; score: AttemptScore } | { state: 'closed' } | { state: 'missing' };

type GradedInside =
  | { state: 'graded'; score: AttemptScore; passed: QuizPassedEvent | null }
  | { state: 'closed' }
  | { state: 'missing' };

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
    await this.close(attemptId, { auto });
    return this.stored(attemptId);
  }

  /**
   * A learner hands in their own attempt: graded now (its grade is answered from the grading itself), already
   * closed (the caller reads the stored grade), or not theirs at all, which looks exactly like a missing one.
   * One handed in after its deadline counts as closed by the deadline, at the deadline, as the sweep would have.
   */
  async submitOwn(attemptId: string, userId: string): Promise<CloseOutcome> {
    return this.close(attemptId, { auto: false, owner: userId });
  }

  /**
   * The stored attempt, read after any grading transaction that touched it is done: on SQLite a read outside
   * that transaction could see its status write before its score.
   */
  async stored(attemptId: string): Promise<AttemptEntity> {
    const after = await this.attempts.findOneBy({ id: attemptId });
    if (!after) {
      throw new Error(`attempt ${attemptId} vanished`);
    }
    return after;
  }

  private async close(
    attemptId: string,
    { auto, owner }: { auto: boolean; owner?: string },
  ): Promise<CloseOutcome> {
    // Replayable: grading writes rows only; its event is sent after the transaction.
    const outcome = await this.tx.runReplayable(async (m): Promise<GradedInside> => {
      const now = new Date();
      // The transaction's reads and writes are SQL, not entity calls, as in the rest of grading: building the
      // entity statements and mapping their rows cost a submit 2.2 -> 1.7 ms of CPU (mean of three alternating
      // bench runs of the quiz flow).
      const [before] = await namedQuery<AttemptRow[]>(
        m,
        `SELECT id, quiz_id, user_id, status, deadline FROM quiz_attempts WHERE id = :id`,
        { id: attemptId },
      );
      if (!before || (owner !== undefined && before.user_id !== owner)) {
        return { state: 'missing' };
      }
      if (before.status !== 'open') {
        return { state: 'closed' };
      }
      const deadline = before.deadline === null ? null : new Date(before.deadline);
      const byDeadline = auto || (deadline !== null && deadline <= now);
      const submittedAt = byDeadline && deadline && deadline < now ? deadline : now;
      const claimed = await namedWrite(
        m,
        `UPDATE quiz_attempts SET status = 'submitted', submitted_at = :at, auto_submitted = :auto
         WHERE id = :id AND status = 'open'`,
        { at: submittedAt.toISOString(), auto: byDeadline, id: attemptId },
      );
      if (claimed === 0) {
        return { state: 'closed' };
      }
      const graded = await this.gradeRow(
        m,
        { id: before.id, quizId: before.quiz_id, userId: before.user_id },
        submittedAt,
      );
      return { state: 'graded', ...graded };
    });
    if (outcome.state !== 'graded') {
      return outcome;
    }
    if (outcome.passed) {
      await this.events.emitAsync(QUIZ_PASSED, outcome.passed);
    }
    return { state: 'graded', score: outcome.score };
  }

  /** Grades a just-claimed attempt inside `m` (also used by the demo seed). */
  async grade(
    m: EntityManager,
    attempt: Pick<AttemptEntity, 'id' | 'quizId' | 'userId'>,
    at: Date,
  ): Promise<QuizPassedEvent | null> {
    return (await this.gradeRow(m, attempt, at)).passed;
  }

  private async gradeRow(
    m: EntityManager,
    attempt: Pick<AttemptEntity, 'id' | 'quizId' | 'userId'>,
    at: Date,
  ): Promise<{ score: AttemptScore; passed: QuizPassedEvent | null }> {
    const quiz = await this.questionCache.quiz(m, attempt.quizId);
    if (!quiz) {
      throw new Error(`attempt ${attempt.id}: quiz ${attempt.quizId} not found`);
    }
    const rows = (
      await namedQuery<Array<{ id: string; question_id: string; response: string | null }>>(
        m,
        `SELECT id, question_id, response FROM attempt_questions WHERE attempt_id = :id ORDER BY position`,
        { id: attempt.id },
      )
    ).map((r) => ({
      id: r.id,
      questionId: r.question_id,
      // Written by JSON.stringify (see AttemptsService.storeAnswer and the entity's JSON column).
      response: r.response === null ? null : (JSON.parse(r.response) as AnswerResponse),
    }));
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
    await namedQuery(
      m,
      `UPDATE quiz_attempts SET score = :score, max_score = :maxScore, score_percent = :scorePercent,
         passed = :passed WHERE id = :id`,
      { ...score, id: attempt.id },
    );
    await this.toNotebook(m, attempt.userId, quiz.id, wrong, at);
    if (!score.passed) {
      return { score, passed: null };
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
      score,
      passed: {
        userId: attempt.userId,
        quizId: quiz.id,
        courseId: quiz.courseId,
        lessonId: quiz.lessonId,
        scorePercent: score.scorePercent,
        at: at.toISOString(),
      },
    };
  }

  /**
   * Every question answered wrong (or partly) goes (back) into the notebook with its right-count reset: one
   * statement, the entry (user, question) being unique. An entry still open counts one more wrong answer and keeps
   * the time it was first added; a cleared one comes back as newly added. The SET expressions read the row as it
   * was, on SQLite and PostgreSQL alike.
   */
  private async toNotebook(
    m: EntityManager,
    userId: string,
    quizId: string,
    questionIds: string[],
    at: Date,
  ): Promise<void> {
    // PostgreSQL refuses to change one row twice in a statement; an attempt holds a question once anyway.
    const distinct = [...new Set(questionIds)];
    if (distinct.length === 0) {
      return;
    }
    const params: Record<string, unknown> = { userId, quizId, at: at.toISOString() };
    const rows = distinct.map((questionId, k) => {
      params[`id${k}`] = newId();
      params[`question${k}`] = questionId;
      return `(:id${k}, :userId, :question${k}, :quizId, 1, 0, :at, NULL, NULL)`;
    });
    await namedQuery(
      m,
      `INSERT INTO notebook_entries (id, user_id, question_id, quiz_id, times_wrong, right_count, added_at,
         practised_at, cleared_at) VALUES ${rows.join(', ')}
       ON CONFLICT (user_id, question_id) DO UPDATE SET
         times_wrong = notebook_entries.times_wrong + 1, right_count = 0, quiz_id = excluded.quiz_id,
         added_at = CASE WHEN notebook_entries.cleared_at IS NULL THEN notebook_entries.added_at
           ELSE excluded.added_at END,
         cleared_at = NULL`,
      params,
    );
  }
}
