import { DataSource } from 'typeorm';
import { openTempSqlite } from '../database/temp-sqlite.fixture-spec';
import { TransactionService } from '../database/transaction.service';
import { AnswerWriter, AnswerWrite } from './answer-writer';

describe('AnswerWriter on SQLite', () => {
  let ds: DataSource;
  let close: () => Promise<void>;
  let writer: AnswerWriter;
  let updates: number;
  const past = new Date(Date.now() - 60_000).toISOString();
  const later = new Date(Date.now() + 3_600_000).toISOString();

  beforeEach(async () => {
    ({ ds, close } = await openTempSqlite('answers-'));
    await ds.query(
      `CREATE TABLE quiz_attempts (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, status TEXT NOT NULL, deadline TEXT)`,
    );
    await ds.query(
      `CREATE TABLE attempt_questions (attempt_id TEXT NOT NULL, question_id TEXT NOT NULL, response TEXT,
         answered_at TEXT, PRIMARY KEY (attempt_id, question_id))`,
    );
    await ds.query(
      `INSERT INTO quiz_attempts VALUES ('open-a', 'ann', 'open', NULL), ('open-b', 'bo', 'open', ?),
         ('done', 'ann', 'submitted', NULL), ('overdue', 'ann', 'open', ?)`,
      [later, past],
    );
    for (const attempt of ['open-a', 'open-b', 'done', 'overdue']) {
      for (const q of ['q1', 'q2', 'q3']) {
        await ds.query('INSERT INTO attempt_questions (attempt_id, question_id) VALUES (?, ?)', [
          attempt,
          q,
        ]);
      }
    }
    writer = new AnswerWriter(new TransactionService(ds));
    updates = 0;
    const runner = ds.createQueryRunner();
    const query = runner.query.bind(runner);
    runner.query = ((sql: string, ...rest: unknown[]) => {
      if (/^WITH answer/.test(sql)) {
        updates++;
      }
      return (query as (...a: unknown[]) => Promise<unknown>)(sql, ...rest);
    }) as typeof runner.query;
  });

  afterEach(() => close());

  const stored = async (attempt: string): Promise<Record<string, string | null>> =>
    Object.fromEntries(
      (
        await ds.query<Array<{ question_id: string; response: string | null }>>(
          'SELECT question_id, response FROM attempt_questions WHERE attempt_id = ? ORDER BY question_id',
          [attempt],
        )
      ).map((r) => [r.question_id, r.response]),
    );

  const answer = (
    userId: string,
    attemptId: string,
    questionId: string,
    response: string | null,
  ): AnswerWrite => ({ userId, attemptId, questionId, response });

  it('writes answers asked for together in one statement, refusing each one its attempt does not allow', async () => {
    const asked = [
      answer('ann', 'open-a', 'q1', '"a"'), // alone: nothing was being written
      answer('ann', 'open-a', 'q2', '"b"'),
      answer('bo', 'open-b', 'q1', 'true'),
      answer('bo', 'open-a', 'q3', '"not bo’s attempt"'),
      answer('ann', 'done', 'q1', '"submitted already"'),
      answer('ann', 'overdue', 'q1', '"past its deadline"'),
      answer('ann', 'open-a', 'q9', '"not in the attempt"'),
      answer('bo', 'open-b', 'q2', null),
    ];
    const results = await Promise.all(asked.map((a) => writer.write(a)));
    expect(results.map((r) => r instanceof Date)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
      false,
      true,
    ]);
    // The first alone, the seven that waited for it in one.
    expect(updates).toBe(2);
    expect(await stored('open-a')).toEqual({ q1: '"a"', q2: '"b"', q3: null });
    expect(await stored('open-b')).toEqual({ q1: 'true', q2: null, q3: null });
    expect(await stored('done')).toEqual({ q1: null, q2: null, q3: null });
    expect(await stored('overdue')).toEqual({ q1: null, q2: null, q3: null });
    const answeredAt = await ds.query<Array<{ n: number }>>(
      'SELECT COUNT(*) AS n FROM attempt_questions WHERE answered_at IS NOT NULL',
    );
    // The four written, open-b's q2 among them: cleared, but answered (with nothing) all the same.
    expect(answeredAt[0]?.n).toBe(4);
  });

  it('keeps the answer asked for last when one batch holds the same question twice', async () => {
    const first = writer.write(answer('ann', 'open-a', 'q3', '"first"'));
    const both = await Promise.all([
      writer.write(answer('ann', 'open-a', 'q1', '"earlier"')),
      writer.write(answer('ann', 'open-a', 'q1', '"later"')),
    ]);
    await first;
    expect(both.every((r) => r instanceof Date)).toBe(true);
    expect(updates).toBe(2);
    expect((await stored('open-a')).q1).toBe('"later"');
  });

  it('gives every answer of a failed statement its error and goes on with the next', async () => {
    expect(await writer.write(answer('ann', 'open-a', 'q1', '"x"'))).toBeInstanceOf(Date);
    await ds.query('ALTER TABLE attempt_questions RENAME TO attempt_questions_gone');
    const settled = await Promise.allSettled([
      writer.write(answer('ann', 'open-a', 'q2', '"y"')),
      writer.write(answer('bo', 'open-b', 'q2', '"z"')),
      writer.write(answer('bo', 'open-b', 'q1', '"z"')),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(String((settled[1] as PromiseRejectedResult).reason)).toMatch(/no such table/);
    await ds.query('ALTER TABLE attempt_questions_gone RENAME TO attempt_questions');
    expect(await writer.write(answer('bo', 'open-b', 'q3', '"again"'))).toBeInstanceOf(Date);
    expect((await stored('open-b')).q3).toBe('"again"');
  });
});
