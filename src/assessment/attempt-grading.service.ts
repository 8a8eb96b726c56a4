import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { TransactionService } from '../database/transaction.service';
import { AttemptEntity, QuizEntity } from './assessment.entities';
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

/**
 * An attempt's columns that grading reads, with one of its answers per row (none: one row of NULLs); instants are
 * ISO text on both databases.
 */
interface AttemptWithAnswers {
  id: string;
  quiz_id: string;
  user_id: string;
  status: string;
  deadline: string | null;
  row_id: string | null;
  question_id: string;
  response: string | null;
}

interface AnswerRow {
  id: string;
  questionId: string;
  response: AnswerResponse | null;
}

/** An attempt's answers marked, and its score. */
interface Marked {
  quiz: QuizEntity;
  results: Array<{ rowId: string; questionId: string; credit: number; correct: boolean }>;
  score: AttemptScore;
}

function toAnswerRow(id: string, questionId: string, response: string | null): AnswerRow {
  // Written by JSON.stringify (see AttemptsService.storeAnswer and the entity's JSON column).
  return {
    id,
    questionId,
    response: response === null ? null : (JSON.parse(response) as AnswerResponse),
  };
}

/** How a close ended: graded by this call (with its grade), found closed already, or not there (for this owner). */
export type CloseOutcome =
  { state: 'graded'; score: AttemptScore } | { state: 'closed' } | { state: 'missing' };

/** The outcome inside the transaction: a grading also carries the pass event sent after it. */
type GradedInside =
  | Exclude<CloseOutcome, { state: 'graded' }>
  | { state: 'graded'; score: AttemptScore; passed: QuizPassedEvent | null };

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

  /** Closes an attempt whose deadline has passed, if still open: graded as submitted at the deadline. */
  async closeByDeadline(attemptId: string): Promise<void> {
    await this.close(attemptId, { auto: true });
  }

  /** `closeByDeadline`, answering the attempt as stored afterwards. */
  async finalize(attemptId: string): Promise<AttemptEntity> {
    await this.closeByDeadline(attemptId);
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
      // Four statements, written as SQL (building entity statements and mapping their rows cost a submit
      // 2.2 -> 1.7 ms of CPU): the attempt with its answers, the claim, the answers' marks, the notebook. On SQLite
      // each statement is a round trip to the driver's threads, the largest part of a submit's cost.
      const found = await namedQuery<AttemptWithAnswers[]>(
        m,
        `SELECT a.id, a.quiz_id, a.user_id, a.status, a.deadline,
           q.id AS row_id, q.question_id, q.response
         FROM quiz_attempts a LEFT JOIN attempt_questions q ON q.attempt_id = a.id
         WHERE a.id = :id ORDER BY q.position`,
        { id: attemptId },
      );
      const attempt = found[0];
      if (!attempt || (owner !== undefined && attempt.user_id !== owner)) {
        return { state: 'missing' };
      }
      if (attempt.status !== 'open') {
        return { state: 'closed' };
      }
      const deadline = attempt.deadline === null ? null : new Date(attempt.deadline);
      const byDeadline = auto || (deadline !== null && deadline <= now);
      const submittedAt = byDeadline && deadline && deadline < now ? deadline : now;
      const answers = found.flatMap((r) =>
        r.row_id === null ? [] : [toAnswerRow(r.row_id, r.question_id, r.response)],
      );
      const marked = await this.mark(m, attempt.quiz_id, answers);
      // The claim is the compare-and-set of the status and carries the grade: on PostgreSQL a concurrent submit
      // waits on this row and then matches nothing; whoever matches nothing has written nothing.
      const claimed = await namedWrite(
        m,
        `UPDATE quiz_attempts SET status = 'submitted', submitted_at = :at, auto_submitted = :auto,
           score = :score, max_score = :maxScore, score_percent = :scorePercent, passed = :passed
         WHERE id = :id AND status = 'open'`,
        { at: submittedAt.toISOString(), auto: byDeadline, ...marked.score, id: attemptId },
      );
      if (claimed === 0) {
        return { state: 'closed' };
      }
      const passed = await this.record(m, attempt.user_id, marked, submittedAt);
      return { state: 'graded', score: marked.score, passed };
    });
    if (outcome.state !== 'graded') {
      return outcome;
    }
    if (outcome.passed) {
      await this.events.emitAsync(QUIZ_PASSED, outcome.passed);
    }
    return { state: 'graded', score: outcome.score };
  }

  /** Grades a just-claimed attempt inside `m` (the demo seed, which writes its attempts itself). */
  async grade(
    m: EntityManager,
    attempt: Pick<AttemptEntity, 'id' | 'quizId' | 'userId'>,
    at: Date,
  ): Promise<QuizPassedEvent | null> {
    const answers = (
      await namedQuery<Array<{ id: string; question_id: string; response: string | null }>>(
        m,
        `SELECT id, question_id, response FROM attempt_questions WHERE attempt_id = :id ORDER BY position`,
        { id: attempt.id },
      )
    ).map((r) => toAnswerRow(r.id, r.question_id, r.response));
    const marked = await this.mark(m, attempt.quizId, answers);
    await namedQuery(
      m,
      `UPDATE quiz_attempts SET score = :score, max_score = :maxScore, score_percent = :scorePercent,
         passed = :passed WHERE id = :id`,
      { ...marked.score, id: attempt.id },
    );
    return this.record(m, attempt.userId, marked, at);
  }

  /** Each answer's credit and correctness, and the attempt's score against the quiz's pass mark. */
  private async mark(m: EntityManager, quizId: string, answers: AnswerRow[]): Promise<Marked> {
    const quiz = await this.questionCache.quiz(m, quizId);
    if (!quiz) {
      throw new Error(`quiz ${quizId} not found`);
    }
    const byId = await this.questionCache.byIds(
      m,
      answers.map((r) => r.questionId),
    );
    const results = answers.map((row) => {
      const q = byId.get(row.questionId);
      const g = q ? gradeQuestion(q.type, q.parts, row.response) : { credit: 0, correct: false };
      return { rowId: row.id, questionId: row.questionId, ...g };
    });
    const score = scoreAttempt(
      results.map((r) => r.credit),
      quiz.passMark,
    );
    return { quiz, results, score };
  }

  /** Writes the answers' marks, the notebook and (on a pass) the study hours; answers the pass event. */
  private async record(
    m: EntityManager,
    userId: string,
    { quiz, results, score }: Marked,
    at: Date,
  ): Promise<QuizPassedEvent | null> {
    if (results.length > 0) {
      // Every row's result in one UPDATE, a CASE per column, written as SQL (the query builder's rewriting of
      // property names through this long statement was ~8% of a submit's CPU).
      const params: Record<string, unknown> = { ids: results.map((r) => r.rowId) };
      const creditWhen: string[] = [];
      const correctWhen: string[] = [];
      results.forEach((r, k) => {
        Object.assign(params, {
          [`row${k}`]: r.rowId,
          [`credit${k}`]: r.credit,
          [`correct${k}`]: r.correct,
        });
        creditWhen.push(`WHEN :row${k} THEN CAST(:credit${k} AS double precision)`);
        correctWhen.push(`WHEN :row${k} THEN CAST(:correct${k} AS boolean)`);
      });
      await namedQuery(
        m,
        `UPDATE attempt_questions SET credit = CASE id ${creditWhen.join(' ')} END,
           correct = CASE id ${correctWhen.join(' ')} END
         WHERE id IN (:...ids)`,
        params,
      );
    }
    const wrong = results.filter((r) => !r.correct).map((r) => r.questionId);
    await this.toNotebook(m, userId, quiz.id, wrong, at);
    if (!score.passed) {
      return null;
    }
    const course = await this.courses.course(quiz.courseSlug, m);
    if (course) {
      // Credited once per quiz per person (the quiz id is the activity), however many attempts pass.
      await this.courses.credit(m, {
        userId,
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
      userId,
      quizId: quiz.id,
      courseId: quiz.courseId,
      lessonId: quiz.lessonId,
      scorePercent: score.scorePercent,
      at: at.toISOString(),
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
