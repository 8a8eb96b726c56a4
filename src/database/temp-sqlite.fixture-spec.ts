import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { SqliteConnectionOptions } from 'typeorm/driver/sqlite/SqliteConnectionOptions';

/**
 * A SQLite file in WAL mode in a fresh temporary folder, for specs of the database layer (with `entities` and
 * `synchronize` when a spec brings its own tables); `close` removes it.
 */
export async function openTempSqlite(
  prefix: string,
  options: Pick<SqliteConnectionOptions, 'entities' | 'synchronize'> = {},
): Promise<{ ds: DataSource; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const ds = new DataSource({ type: 'sqlite', database: join(dir, 'test.db'), ...options });
  await ds.initialize();
  await ds.query('PRAGMA journal_mode = WAL');
  return {
    ds,
    close: async () => {
      await ds.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
