import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { DatabaseSettings } from '../config/app-config.service';
import { migrations } from './migrations';
import { SnakeNamingStrategy } from './snake-naming.strategy';
import { withStatementCache } from './statement-cache';

/** Milliseconds a SQLite writer waits for another process's lock before giving up. */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

/**
 * The main connection's page cache: 8 MB (negative values are KiB). The operating system caches the file for
 * every connection; a page SQLite must fetch again is a read on a worker thread, not work for the event loop.
 * Measured on the benchmark city (quick runs, two each, alternating): 32 MB here and 8 MB per read connection
 * against 8 MB and 2 MB, RSS through the lesson page, transcript, quiz flow, exam and check-in storms 234-238 ->
 * 209-211 MB, with every figure within the run-to-run noise (check-in storm 901/935 -> 1,023/1,000 per second).
 */
export const SQLITE_CACHE_SIZE = -8192;

/**
 * SQLite pragmas, chosen and stated: WAL so readers never block the writer; synchronous=FULL because only FULL
 * survives power loss in WAL mode (the two drivers default differently); foreign keys on; a busy timeout for a
 * second process (CLI backup, migrations); an 8 MB page cache and no memory map. Mapped pages count in the
 * process's resident memory once per connection that maps them (the city report's two read connections and the
 * main one took 340 MB of mapped file in the bench), while the pages a request reads are the same few hot ones the
 * page cache keeps anyway, and the operating system caches the file once for everyone: peak RSS over the quick
 * bench 950 -> 435 MB with the memory map off, with page and report figures within the machine's run-to-run noise.
 */
export const SQLITE_PRAGMAS = [
  'PRAGMA journal_mode = WAL',
  'PRAGMA synchronous = FULL',
  'PRAGMA foreign_keys = ON',
  `PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`,
  `PRAGMA cache_size = ${SQLITE_CACHE_SIZE}`,
  'PRAGMA mmap_size = 0',
  'PRAGMA temp_store = MEMORY',
];

export function dataSourceOptions(
  settings: DatabaseSettings,
  entities: DataSourceOptions['entities'],
): DataSourceOptions {
  const common = {
    entities,
    migrations,
    namingStrategy: new SnakeNamingStrategy(),
    migrationsRun: false,
    synchronize: false, // Query errors surface through the error filter with a request id; expected ones (unique races) stay quiet.
    logging: false,
  };
  if (settings.type === 'postgres') {
    return { ...common, type: 'postgres', url: settings.url, extra: { max: 10 } };
  }
  if (settings.path !== ':memory:') {
    mkdirSync(dirname(settings.path), { recursive: true });
  }
  if (settings.driver === 'better-sqlite3') {
    return {
      ...common,
      type: 'better-sqlite3',
      database: settings.path,
      enableWAL: true,
      timeout: SQLITE_BUSY_TIMEOUT_MS,
      prepareDatabase: (db: { pragma: (s: string) => unknown }) => {
        for (const pragma of SQLITE_PRAGMAS) {
          db.pragma(pragma.replace(/^PRAGMA /, ''));
        }
      },
    };
  }
  return {
    ...common,
    type: 'sqlite',
    driver: sqlite3WithoutTraces(),
    database: settings.path,
    enableWAL: true,
    busyTimeout: SQLITE_BUSY_TIMEOUT_MS,
  };
}

/**
 * TypeORM calls `verbose()` on the sqlite3 module, which wraps every database call to capture a stack trace for
 * error messages: 5% of the lesson page's CPU in the profile. Errors are logged with the SQL and a request id
 * by the error filter anyway, so TypeORM gets the module with a `verbose()` that leaves it as it is, and with a
 * Database that keeps its prepared statements (see withStatementCache).
 */
function sqlite3WithoutTraces(): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sqlite3 = require('sqlite3') as typeof import('sqlite3');
  const Database = withStatementCache(sqlite3);
  const module = Object.assign(Object.create(sqlite3) as object, { Database });
  return Object.assign(module, { verbose: () => module });
}
