import { copyFileSync, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { DataSource } from 'typeorm';

/**
 * A consistent online copy of the SQLite database: `VACUUM INTO` reads one snapshot (WAL readers never block the
 * writer), so the server keeps serving while it runs. It runs on a connection of its own: the application's shared
 * connection may be inside another request's transaction, where VACUUM is not allowed.
 */
export async function backupSqlite(databaseFile: string, file: string): Promise<number> {
  if (existsSync(file)) {
    throw new Error(`${file} already exists; choose a new file name`);
  }
  const source = new DataSource({ type: 'sqlite', database: databaseFile, busyTimeout: 10_000 });
  await source.initialize();
  try {
    await source.query('VACUUM INTO ?', [file]);
  } finally {
    await source.destroy();
  }
  return statSync(file).size;
}

/** Checks a backup before anything is replaced: integrity_check ok and the schema's migrations table present. */
export async function checkSqliteBackup(file: string): Promise<void> {
  const probe = new DataSource({
    type: 'sqlite',
    database: file,
    flags: 1 /* SQLITE_OPEN_READONLY */,
  });
  await probe.initialize();
  try {
    const [integrity] = await probe.query<
      Array<{
        integrity_check: string;
      }>
    >('PRAGMA integrity_check');
    if (integrity?.integrity_check !== 'ok') {
      throw new Error(`the backup is damaged: ${integrity?.integrity_check ?? 'no answer'}`);
    }
    const tables = await probe.query<unknown[]>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'migrations'",
    );
    if (tables.length === 0) {
      throw new Error('the file is not a Cadre Academy database (no migrations table)');
    }
  } finally {
    await probe.destroy();
  }
}

/** Replaces the database file with a checked backup; the server must be stopped (the old file is kept aside). */
export function restoreSqlite(backup: string, target: string): string {
  const aside = `${target}.before-restore-${Date.now()}`;
  if (existsSync(target)) {
    renameSync(target, aside);
  }
  for (const suffix of ['-wal', '-shm']) {
    rmSync(target + suffix, { force: true });
  }
  // Copy rather than rename so the backup file stays where the operator put it.
  copyFileSync(backup, target);
  return aside;
}
