import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SQLITE_BUSY_TIMEOUT_MS } from './data-source-options';
import { expandNamed } from './named-query';
import { withStatementCache } from './statement-cache';

type Row = Record<string, unknown>;

interface Reader {
  db: import('sqlite3').Database;
  busy: number;
  /**
   * Whether the connection opened. Reads wait for it (the driver drops calls queued on a connection that then
   * fails to open); where it could not, they go to the main connection.
   */
  opened: Promise<boolean>;
}

/** Read-only connections per lane: two statements of a report run at once on a 2-core machine. */
const READERS = 2;

type Lane = 'report' | 'lookup';

/**
 * Extra read-only SQLite connections beside the main one, in two lanes: `query` for the big read models (the
 * city's regularity grid and learning reports), `lookup` for the small reads every request makes (its session,
 * a lesson page's progress), so that a lookup never waits behind a report's seconds of reading.
 *
 * With the `sqlite3` driver every query of the process goes through one connection, one statement at a time: a
 * city report's two grouped queries ran one after the other, and every lesson page and check-in waited behind
 * them and behind every write. WAL lets readers on other connections run beside the writer and each other, each
 * seeing the last commit. Only reads outside any transaction come here (every write is committed before its
 * request is answered, so a later request reads it; what a transaction has not committed is not seen, as it
 * should not be). Elsewhere (better-sqlite3, which runs on the main thread anyway, PostgreSQL with its pool,
 * `:memory:`) reads go to the data source as before.
 */
@Injectable()
export class SqliteReaders implements OnApplicationShutdown {
  private readonly logger = new Logger('SqliteReaders');
  private lanes: Record<Lane, Reader[]> | null = null;
  private readonly usable: boolean;

  constructor(private readonly ds: DataSource) {
    const file = String(ds.options.database ?? '');
    this.usable = ds.options.type === 'sqlite' && file !== '' && file !== ':memory:';
  }

  /**
   * Runs one read-model statement written with `:name` / `:...list` parameters (TypeORM's driver turns them into
   * `?` or `$n`) on the least busy report reader, or on the data source where there are none.
   */
  query(sql: string, params: Record<string, unknown> = {}): Promise<Row[]> {
    return this.run('report', sql, params);
  }

  /** The same for a small read outside any transaction (a session, one page's rows), on the lookup lane. */
  lookup(sql: string, params: Record<string, unknown> = {}): Promise<Row[]> {
    return this.run('lookup', sql, params);
  }

  private async run(lane: Lane, sql: string, params: Record<string, unknown>): Promise<Row[]> {
    const [text, values] = expandNamed(this.ds.driver, sql, params);
    const lanes = this.open();
    if (!lanes) {
      return this.ds.query<Row[]>(text, values);
    }
    // Counted busy before anything is awaited: a report's two statements, asked for in the same tick, each took
    // the least busy reader after an await, found the same one idle, and ran one after the other on it.
    const reader = lanes[lane].reduce((a, b) => (b.busy < a.busy ? b : a));
    reader.busy++;
    try {
      if (!(await reader.opened)) {
        return await this.ds.query<Row[]>(text, values);
      }
      return await new Promise<Row[]>((resolve, reject) =>
        reader.db.all(text, values, (error: Error | null, rows: Row[]) =>
          error ? reject(error) : resolve(rows),
        ),
      );
    } finally {
      reader.busy--;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const readers = this.lanes ? [...this.lanes.report, ...this.lanes.lookup] : [];
    this.lanes = null;
    // One that never opened has nothing to close (and the driver would never answer its close).
    await Promise.all(
      readers.map(async (r) => {
        if (await r.opened) {
          await new Promise<void>((resolve) => r.db.close(() => resolve()));
        }
      }),
    );
  }

  private open(): Record<Lane, Reader[]> | null {
    if (!this.usable) {
      return null;
    }
    if (!this.lanes) {
      this.lanes = { report: this.connect(), lookup: this.connect() };
    }
    return this.lanes;
  }

  private connect(): Reader[] {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sqlite3 = require('sqlite3') as typeof import('sqlite3');
    const file = String(this.ds.options.database);
    const Database = withStatementCache(sqlite3);
    return Array.from({ length: READERS }, () => {
      let opened: (ok: boolean) => void = () => undefined;
      const reader: Reader = {
        db: new Database(file, sqlite3.OPEN_READONLY, (error) => {
          if (error) {
            this.logger.warn(
              `read-only connection to ${file} failed, reading on the main one: ${error.message}`,
            );
          }
          opened(!error);
        }),
        busy: 0,
        opened: new Promise<boolean>((resolve) => {
          opened = resolve;
        }),
      };
      const db = reader.db;
      db.configure('busyTimeout', SQLITE_BUSY_TIMEOUT_MS);
      // A 2 MB page cache (see SQLITE_CACHE_SIZE; four of these) and no memory map (see SQLITE_PRAGMAS); nothing
      // here writes.
      db.exec('PRAGMA cache_size = -2048; PRAGMA mmap_size = 0; PRAGMA query_only = ON;');
      return reader;
    });
  }
}
