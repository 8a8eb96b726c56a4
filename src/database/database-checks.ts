import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { DataSource } from 'typeorm';
import { isStorageFailure } from './db-errors';

/** One durability-relevant setting as the running connection reports it, against what this product requires. */
export interface DatabaseSetting {
  name: string;
  value: string;
  expected: string;
  ok: boolean;
}

/** SQLite 3.51.3 fixed a WAL-reset bug that could lose committed transactions (sqlite.org/wal.html#walresetbug). */
export const MIN_SQLITE_VERSION = '3.51.3';

/** True when dotted version `a` is at least `b` (3.52.0 >= 3.51.3). */
export function versionAtLeast(a: string, b: string): boolean {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] || 0) - (y[i] || 0);
    if (d !== 0) {
      return d > 0;
    }
  }
  return true;
}

function setting(
  name: string,
  value: string | number,
  expected: string,
  ok: boolean,
): DatabaseSetting {
  return { name, value: String(value), expected, ok };
}

/** The first column of the first row of a one-value query (`PRAGMA synchronous`, `SHOW fsync`). */
async function scalar(dataSource: DataSource, query: string): Promise<unknown> {
  const rows = await dataSource.query<Array<Record<string, unknown>>>(query);
  return Object.values(rows[0] ?? {})[0];
}

/**
 * Reads the settings that decide whether an acknowledged write survives a crash or power loss (SECURITY-TESTS
 * 94): on SQLite the pragmas of the connection the application writes through, on PostgreSQL the server's.
 */
export async function readDatabaseSettings(dataSource: DataSource): Promise<DatabaseSetting[]> {
  if (dataSource.options.type === 'postgres') {
    const out: DatabaseSetting[] = [];
    for (const name of ['fsync', 'synchronous_commit', 'full_page_writes']) {
      const value = String(await scalar(dataSource, `SHOW ${name}`));
      out.push(setting(name, value, 'on', value === 'on'));
    }
    out.push(
      setting('server_version', String(await scalar(dataSource, 'SHOW server_version')), '', true),
    );
    return out;
  }
  const journal = String(await scalar(dataSource, 'PRAGMA journal_mode')).toLowerCase();
  const synchronous = Number(await scalar(dataSource, 'PRAGMA synchronous'));
  const foreignKeys = Number(await scalar(dataSource, 'PRAGMA foreign_keys'));
  const busyTimeout = Number(await scalar(dataSource, 'PRAGMA busy_timeout'));
  const version = String(await scalar(dataSource, 'SELECT sqlite_version()'));
  return [
    setting('journal_mode', journal, 'wal', journal === 'wal'),
    setting('synchronous', synchronous, '2', synchronous === 2),
    setting('foreign_keys', foreignKeys, '1', foreignKeys === 1),
    setting('busy_timeout', busyTimeout, '> 0', busyTimeout > 0),
    setting(
      'sqlite_version',
      version,
      `>= ${MIN_SQLITE_VERSION}`,
      versionAtLeast(version, MIN_SQLITE_VERSION),
    ),
  ];
}

/** Which file a path names right now (device and inode), or null when nothing is there. */
export function fileIdentity(path: string): { dev: number; ino: number } | null {
  try {
    const s = statSync(path);
    return { dev: s.dev, ino: s.ino };
  } catch {
    return null;
  }
}

/**
 * A read-only SQLite file opens without complaint and answers reads; only the first write fails. So the start-up
 * makes one write that is never committed (a table created and rolled back) and fails at once if the file, its
 * folder (where SQLite keeps `-wal` and `-shm`) or the file system refuses it. A lock held by another process
 * (a backup) is not a reason to refuse to start.
 */
export async function probeSqliteWrite(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.query('BEGIN');
    try {
      await runner.query('CREATE TABLE cadre_write_probe (x INTEGER)');
    } finally {
      await runner.query('ROLLBACK');
    }
  } catch (error) {
    if (!/BUSY|LOCKED/.test((error as { code?: string }).code ?? '')) {
      throw error;
    }
  } finally {
    await runner.release();
  }
}

/** The start-up error for a SQLite file that cannot be opened or written: what, where, and what to check. */
export function explainSqliteFailure(path: string, error: unknown): unknown {
  if (!isStorageFailure(error)) {
    return error;
  }
  const code = (error as { code?: string }).code ?? 'error';
  const name = basename(path);
  return new Error(
    `Cannot use the SQLite database ${path} (${code}). Cadre Academy must be able to write the file and its ` +
      `folder, where SQLite keeps ${name}-wal and ${name}-shm: check the owner and permissions of both, that ` +
      `the file system is not mounted read-only and that the disk is not full. Nothing was started.`,
  );
}
