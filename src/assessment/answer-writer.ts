import { Injectable } from '@nestjs/common';
import { QueryResult, QueryRunner } from 'typeorm';
import { PositionalValues } from '../database/named-query';
import { OneBatchAtATime } from '../common/one-batch-at-a-time';
import { TransactionService } from '../database/transaction.service';

/** One answer to write: refused unless the attempt is the person's, open and before its deadline. */
export interface AnswerWrite {
  userId: string;
  attemptId: string;
  questionId: string;
  /** The answer as stored (JSON text), or null to clear it. */
  response: string | null;
}

interface Waiting extends AnswerWrite {
  settle: (savedAt: Date | null) => void;
  fail: (error: unknown) => void;
}

/** Answers written by one statement at most: four values each, far below either database's limit. */
const MOST_AT_ONCE = 64;

/**
 * Writes answers, those asked for together in one statement. An answer save is the most frequent write there is
 * (an exam is ten of them per learner in a few minutes), and on SQLite every statement is a hand-over to the
 * driver's thread and back, answered on the main thread: one UPDATE for the answers waiting, instead of one each,
 * is what made saves cheaper (see README, Performance). One statement is in flight at a time; answers asked for
 * meanwhile go together in the next, so a lone answer is written at once and a burst in a few statements.
 *
 * Each answer's own guard is in the statement (its attempt, owner, status and deadline), and the statement says
 * which rows it changed, so an answer refused does not hold back the others written with it.
 */
@Injectable()
export class AnswerWriter {
  private readonly queue = new OneBatchAtATime<Waiting>(MOST_AT_ONCE, (batch) =>
    this.writeBatch(batch),
  );

  constructor(private readonly tx: TransactionService) {}

  /** When the answer was written, or null when its attempt refused it (not the person's, closed or past due). */
  write(answer: AnswerWrite): Promise<Date | null> {
    return new Promise((settle, fail) => this.queue.add({ ...answer, settle, fail }));
  }

  private async writeBatch(batch: Waiting[]): Promise<void> {
    try {
      const now = new Date();
      const written = await this.writeTogether(batch, now);
      batch.forEach((a) => a.settle(written.has(keyOf(a)) ? now : null));
    } catch (error) {
      batch.forEach((a) => a.fail(error));
    }
  }

  /**
   * One UPDATE for the batch, answering the (attempt, question) pairs it changed. The same question asked twice in
   * one batch is written once, with the answer asked for last, as two saves one after the other would leave it.
   */
  private writeTogether(batch: AnswerWrite[], now: Date): Promise<Set<string>> {
    const latest = new Map<string, AnswerWrite>();
    for (const answer of batch) {
      const key = keyOf(answer);
      latest.delete(key);
      latest.set(key, answer);
    }
    return this.tx.runStatement(async (m) => {
      // Placeholders in the order they appear (SQLite's `?` are taken in order; PostgreSQL's are numbered).
      const values = new PositionalValues(m.connection.driver);
      const rows = [...latest.values()].map(
        (a) =>
          `(${values.add(a.attemptId)}, ${values.add(a.questionId)}, ${values.add(a.userId)}, ${values.add(a.response)})`,
      );
      const instant = now.toISOString();
      const sql = `WITH answer (attempt_id, question_id, user_id, response) AS (VALUES ${rows.join(', ')})
         UPDATE attempt_questions SET response = answer.response, answered_at = ${values.add(instant)}
         FROM answer, quiz_attempts a
         WHERE attempt_questions.attempt_id = answer.attempt_id AND attempt_questions.question_id = answer.question_id
           AND a.id = answer.attempt_id AND a.user_id = answer.user_id AND a.status = 'open'
           AND (a.deadline IS NULL OR a.deadline > ${values.add(instant)})
         RETURNING attempt_questions.attempt_id, attempt_questions.question_id`;
      const result: QueryResult = await (m.queryRunner as QueryRunner).query(
        sql,
        values.values,
        true,
      );
      const changed = (result.records ?? []) as Array<{ attempt_id: string; question_id: string }>;
      return new Set(changed.map((row) => `${row.attempt_id} ${row.question_id}`));
    });
  }
}

function keyOf(answer: { attemptId: string; questionId: string }): string {
  return `${answer.attemptId} ${answer.questionId}`;
}
