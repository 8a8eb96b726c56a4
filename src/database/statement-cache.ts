import type { RunResult, Statement } from 'sqlite3';

type Sqlite3 = typeof import('sqlite3');
type Callback = (this: Statement | RunResult, error: Error | null, rows?: unknown[]) => void;

/**
 * Idle prepared statements kept per SQL text (a group commit sends up to 64 answer saves at once) and per
 * connection (the least recently used text goes first): ~7.6 KB each (1,000 of a one-row select measured), so at
 * most ~4 MB a connection. Grading 50 submits at once keeps ~400 (eight statements each).
 */
const IDLE_PER_TEXT = 64;
const IDLE_TOTAL = 512;

/**
 * SQL texts seen once and not yet kept. A text is kept from its second use: TypeORM writes numbers into the SQL
 * text on SQLite, so many texts are used once, and keeping each would push the statements used all the time out.
 */
const SEEN = 500;

/**
 * Longer texts are neither remembered nor kept: batch writes of hundreds of rows and reports with long lists,
 * whose statements are large and whose preparing is little beside their running.
 */
const LONGEST = 8000;

/**
 * Only statements that run to their end in one call are kept: a query (`all` steps to the last row) and an
 * INSERT, UPDATE or DELETE without RETURNING (`run` steps once, which is its end). A statement left part way would
 * hold its read or write transaction open until it was reset; schema changes and pragmas are rare anyway.
 */
const KEPT = /^\s*(SELECT|WITH|INSERT|UPDATE|DELETE|BEGIN|COMMIT|SAVEPOINT|RELEASE|ROLLBACK)\b/i;
const RETURNING = /\bRETURNING\b/i;

/**
 * The `sqlite3` module's Database, keeping its prepared statements for the next call with the same SQL.
 *
 * Without it every `all` and `run` prepares a new statement, runs it and finalises it: three trips to the
 * driver's thread pool, each answered on the main thread, and SQLite parsing and planning the SQL each time.
 * Measured on the bench city with a session lookup (a three-table join): 146 µs of CPU per call, 65 µs with the
 * statement kept. A kept statement runs one call at a time, so concurrent calls with the same SQL (a storm's
 * inserts) take further statements, up to IDLE_PER_TEXT of which are kept; each caller's statement is its own
 * while it runs. A text used once, or a long one, runs as before (see SEEN, LONGEST). A statement whose call
 * failed is finalised rather than kept, and on close the kept ones are finalised first (SQLite refuses to close a
 * connection with statements open).
 */
export function withStatementCache(sqlite3: Sqlite3): Sqlite3['Database'] {
  class StatementCachingDatabase extends sqlite3.Database {
    private readonly idle = new Map<string, Statement[]>();
    private idleCount = 0;
    private readonly seen = new Set<string>();
    private closing = false;

    /** Calls asked for since the last hand-over, sent together at the end of this turn of the event loop. */
    private asked: Array<() => void> = [];
    private readonly sendAsked = () => {
      const calls = this.asked;
      this.asked = [];
      calls.forEach((send) => send());
    };

    override all(sql: string, ...rest: unknown[]): this {
      return this.later(() => this.call('all', sql, rest));
    }

    override run(sql: string, ...rest: unknown[]): this {
      return this.later(() => this.call('run', sql, rest));
    }

    /**
     * Each statement is handed to one of libuv's threads, which sleeps between statements: a statement sent on
     * its own wakes one (on this virtual machine ~25 µs of the main thread and ~50 µs of CPU in all, against
     * ~5 and ~11 for one of a burst; measured with a lesson page's lookup, see README). So the calls of one turn
     * of the loop (the requests read from the sockets together) go to the driver together, in the order asked,
     * at its end. Nothing waited on an earlier call's answer, or it would not have been asked yet.
     */
    private later(send: () => void): this {
      if (this.asked.push(send) === 1) {
        setImmediate(this.sendAsked);
      }
      return this;
    }

    override close(callback?: (error: Error | null) => void): void {
      this.sendAsked();
      this.closing = true;
      for (const statements of this.idle.values()) {
        statements.forEach((s) => s.finalize());
      }
      this.idle.clear();
      this.idleCount = 0;
      super.close(callback);
    }

    private call(method: 'all' | 'run', sql: string, rest: unknown[]): this {
      const callback = rest.find((r): r is Callback => typeof r === 'function');
      const params = rest.filter((r) => typeof r !== 'function' && r !== undefined);
      if (
        this.closing ||
        sql.length > LONGEST ||
        !KEPT.test(sql) ||
        (method === 'run' && RETURNING.test(sql)) ||
        this.firstUse(sql)
      ) {
        const uncached = method === 'all' ? super.all.bind(this) : super.run.bind(this);
        uncached(sql, ...rest);
        return this;
      }
      const statement = this.take(sql, callback);
      const args = params.length === 1 && Array.isArray(params[0]) ? params[0] : params;
      const keep = this.keep.bind(this);
      statement[method](
        args,
        function (this: Statement | RunResult, error: Error | null, rows?: unknown[]) {
          keep(sql, statement, error);
          callback?.call(this, error, rows);
        },
      );
      return this;
    }

    /** Whether the text is new (remembered, to be kept when it comes again). */
    private firstUse(sql: string): boolean {
      if (this.idle.has(sql)) {
        return false;
      }
      if (this.seen.delete(sql)) {
        this.idle.set(sql, []); // known from now on, also to calls made before the first statement is back
        return false;
      }
      if (this.seen.size >= SEEN) {
        this.seen.delete(this.seen.values().next().value as string);
      }
      this.seen.add(sql);
      return true;
    }

    /** An idle statement for the SQL, or a new one (a failed prepare reaches the caller as its error). */
    private take(sql: string, callback: Callback | undefined): Statement {
      const statements = this.idle.get(sql);
      const statement = statements?.pop();
      if (statement) {
        this.idleCount--;
        // Most recently used last: the first text of the map is the one to drop.
        this.idle.delete(sql);
        this.idle.set(sql, statements as Statement[]);
        return statement;
      }
      return this.prepare(sql, function (this: Statement, error: Error | null) {
        if (error) {
          callback?.call(this, error);
        }
      });
    }

    private keep(sql: string, statement: Statement, error: Error | null): void {
      if (error || this.closing) {
        statement.finalize();
        return;
      }
      const statements = this.idle.get(sql) ?? [];
      if (statements.length >= IDLE_PER_TEXT) {
        statement.finalize();
        return;
      }
      statements.push(statement);
      this.idleCount++;
      this.idle.set(sql, statements);
      while (this.idleCount > IDLE_TOTAL) {
        const [oldest, dropped] = this.idle.entries().next().value as [string, Statement[]];
        this.idle.delete(oldest);
        this.idleCount -= dropped.length;
        dropped.forEach((s) => s.finalize());
      }
    }
  }
  return StatementCachingDatabase;
}
