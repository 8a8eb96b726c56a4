import { Injectable } from '@nestjs/common';
import { OneBatchAtATime } from '../common/one-batch-at-a-time';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { isSqliteConstraintViolation } from './db-errors';

/** How a unit runs in a group: with its own savepoint, as one statement, or replayable (see the methods). */
type UnitKind = 'unit' | 'single' | 'replayable';

interface QueuedWork {
  work: (manager: EntityManager) => Promise<unknown>;
  kind: UnitKind;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Units of work committed together at most (a bound on how long one commit keeps later callers waiting). */
const MAX_GROUP = 64;

/**
 * The one place write transactions start. TypeORM shares a single connection on SQLite, so two requests'
 * transactions would interleave on it ("cannot start a transaction within a transaction", or one rollback
 * taking another request's writes with it). On SQLite they therefore run one after another through this queue;
 * PostgreSQL gets a pooled connection per transaction and needs no queue.
 *
 * Group commit: when several units are waiting (a check-in storm, an exam start), they run one after another
 * inside one SQLite transaction, each in its own savepoint, and share one COMMIT (one fsync). A unit that fails
 * is rolled back to its savepoint alone and its caller gets its error; the others are unaffected. Every caller's
 * promise settles only after the shared COMMIT, so nothing is acknowledged before it is durable, and if the
 * COMMIT itself fails every unit of the group fails with it (none was written).
 */
@Injectable()
export class TransactionService {
  private readonly queue = new OneBatchAtATime<QueuedWork>(MAX_GROUP, (group) =>
    group.length === 1 ? this.runAlone(group[0]) : this.runGroup(group),
  );
  private readonly serialise: boolean;

  constructor(private readonly dataSource: DataSource) {
    this.serialise = dataSource.options.type !== 'postgres';
  }

  get isPostgres(): boolean {
    return !this.serialise;
  }

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.enqueue(work, 'unit');
  }

  /**
   * A unit that is exactly one SQL statement (an UPDATE guarded by its own WHERE, say). In a group it runs without
   * a savepoint: SQLite undoes a statement that breaks a constraint by itself and keeps the transaction open, so
   * the unit costs one round trip on the one connection instead of three (savepoint, statement, release). Any
   * other failure of the statement abandons the whole group, as a failed rollback to a savepoint does (SQLite may
   * have ended the transaction). A second statement is refused before it runs.
   */
  runStatement<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.enqueue(work, 'single');
  }

  /**
   * A unit whose work may safely run a second time: it changes nothing outside the database (no caches, events or
   * counters) before it returns. Consecutive such units of a group share one savepoint instead of each taking
   * its own, which halves the round trips of a two-statement unit (a check-in: its record and its hours), and run
   * side by side, so a unit must be right whatever order its statements meet theirs in, as it must be anyway for
   * concurrent requests on PostgreSQL (unique keys and guarded updates settle races). A unit that fails before
   * any of its writes took effect (a refused first insert, a refusal before writing) fails alone. One that fails
   * after writing sends the shared savepoint back and every unit of that run again, one savepoint each, as `run`
   * would have: no unit keeps a row that another unit's failure undid.
   */
  runReplayable<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.enqueue(work, 'replayable');
  }

  private enqueue<T>(work: (manager: EntityManager) => Promise<T>, kind: UnitKind): Promise<T> {
    if (!this.serialise) {
      return this.dataSource.transaction(work);
    }
    return new Promise<T>((resolve, reject) => {
      this.queue.add({ work, kind, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  private async runAlone(unit: QueuedWork): Promise<void> {
    try {
      unit.resolve(
        await this.dataSource.transaction((m) =>
          unit.kind === 'single'
            ? oneStatement(m.queryRunner as QueryRunner, unit.work).result
            : unit.work(m),
        ),
      );
    } catch (error) {
      unit.reject(error);
    }
  }

  private async runGroup(group: QueuedWork[]): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    const outcomes: Outcome[] = [];
    try {
      await runner.startTransaction();
      for (let i = 0; i < group.length;) {
        const kind = group[i].kind;
        let end = i + 1;
        while (kind !== 'unit' && end < group.length && group[end].kind === kind) {
          end++;
        }
        const run = group.slice(i, end);
        i = end;
        if (kind === 'single') {
          outcomes.push(...(await runStatements(runner, run)));
        } else if (kind === 'replayable') {
          outcomes.push(...(await runReplayables(runner, run)));
        } else {
          outcomes.push(await inSavepoint(runner, run[0]));
        }
      }
      await runner.commitTransaction();
    } catch (groupError) {
      await abandon(runner);
      group.forEach((unit, i) => {
        const outcome = outcomes[i];
        unit.reject(outcome && !outcome.ok ? outcome.error : groupError);
      });
      return;
    } finally {
      await runner.release();
    }
    group.forEach((unit, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) {
        unit.resolve(outcome.value);
      } else {
        unit.reject(outcome.error);
      }
    });
  }
}

/** A unit in its own savepoint; if even the rollback to it fails, the error abandons the whole group. */
async function inSavepoint(runner: QueryRunner, unit: QueuedWork): Promise<Outcome> {
  await runner.startTransaction(); // a savepoint inside the group's transaction
  try {
    const value = await unit.work(runner.manager);
    await runner.commitTransaction(); // releases the savepoint
    return { ok: true, value };
  } catch (error) {
    await runner.rollbackTransaction();
    return { ok: false, error };
  }
}

/**
 * A run of single-statement units is sent to the connection at once: the driver queues the statements and runs
 * them back to back, instead of each waiting for the event loop to hand over the next one (under load that wait,
 * not SQLite, was most of an answer save's time). They may run in any order, as the concurrent requests they come
 * from have none; a request sent after another was answered is always in a later group.
 */
async function runStatements(runner: QueryRunner, run: QueuedWork[]): Promise<Outcome[]> {
  const attempts = run.map((unit) => oneStatement(runner, unit.work));
  const settled = await Promise.allSettled(attempts.map((a) => a.result));
  return settled.map((result, k): Outcome => {
    if (result.status === 'fulfilled') {
      return { ok: true, value: result.value };
    }
    // Refused before its statement ran, or the statement alone undone by SQLite: the group goes on.
    if (attempts[k].ran() > 0 && !isSqliteConstraintViolation(result.reason)) {
      throw result.reason;
    }
    return { ok: false, error: result.reason as unknown };
  });
}

/**
 * Replayable units under one shared savepoint, all started at once (see `TransactionService.runReplayable`): their
 * statements reach the connection as they are asked for, as concurrent requests' transactions interleave on
 * PostgreSQL, instead of each unit's next statement waiting for the one before it in the group to be answered.
 */
async function runReplayables(runner: QueryRunner, run: QueuedWork[]): Promise<Outcome[]> {
  await runner.startTransaction();
  const watched = run.map(() => unitView(runner));
  const settled = await Promise.allSettled(
    run.map(async (unit, k) => unit.work(watched[k].manager)),
  );
  const clean = settled.every(
    (result, k) =>
      result.status === 'fulfilled' ||
      (watched[k].writes() === 0 &&
        (!watched[k].failed() || isSqliteConstraintViolation(result.reason))),
  );
  if (!clean) {
    // Something of a failed unit may be written: undo the run and do it again, a savepoint per unit.
    await runner.rollbackTransaction();
    const again: Outcome[] = [];
    for (const each of run) {
      again.push(await inSavepoint(runner, each));
    }
    return again;
  }
  await runner.commitTransaction();
  return settled.map((result): Outcome =>
    result.status === 'fulfilled'
      ? { ok: true, value: result.value }
      : { ok: false, error: result.reason as unknown },
  );
}

/**
 * Rolls the whole group back from whatever savepoint it was in, and resets TypeORM's bookkeeping of the shared
 * SQLite runner (depth and active flag), which a failed ROLLBACK TO would otherwise leave mid-transaction.
 */
async function abandon(runner: QueryRunner): Promise<void> {
  await runner.query('ROLLBACK').catch(() => undefined);
  Object.assign(runner, { isTransactionActive: false, transactionDepth: 0 });
}

/**
 * Runs `work` with a manager whose runner answers its first statement and refuses any other before it reaches the
 * database.
 */
function oneStatement<T>(
  runner: QueryRunner,
  work: (manager: EntityManager) => Promise<T>,
): { result: Promise<T>; ran: () => number } {
  const view = unitView(runner, 1);
  return { result: work(view.manager), ran: view.asked };
}

/**
 * A manager for one unit over a view of the shared runner, counting that unit's statements: asked for, that
 * changed something, and whether one failed. Only this unit's calls are counted: on SQLite the runner is the
 * connection's one runner, which other requests' reads use at the same time, so the counts live in a view of it
 * made for this unit alone. Beyond `limit` statements a call is refused before it reaches the database.
 */
function unitView(
  runner: QueryRunner,
  limit = Infinity,
): { manager: EntityManager; asked: () => number; writes: () => number; failed: () => boolean } {
  let asked = 0;
  let writes = 0;
  let failed = false;
  const view = Object.create(runner) as QueryRunner;
  view.query = (async (...args: Parameters<QueryRunner['query']>) => {
    if (++asked > limit) {
      throw new Error('a single-statement unit asked for a second statement');
    }
    try {
      const result: unknown = await runner.query(...args);
      if (!/^\s*SELECT\b/i.test(args[0])) {
        writes++;
      }
      return result;
    } catch (error) {
      failed = true;
      throw error;
    }
  }) as QueryRunner['query'];
  return {
    manager: runner.connection.createEntityManager(view),
    asked: () => asked,
    writes: () => writes,
    failed: () => failed,
  };
}
