import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { backupSqlite, checkSqliteBackup } from '../../src/cli/database-backup';
import { startTestApp, TestApp, TEST_DB } from '../helpers/test-app';
import { BOOT_TIMEOUT, count, FiveHundredGuard } from './support';

/** SECURITY-TESTS.md 101, 102, 104: an online backup taken under write load is consistent and restores. */
const maybe = TEST_DB === 'sqlite' ? describe : describe.skip;
if (TEST_DB !== 'sqlite') {
  console.log(
    'backup suite skipped on PostgreSQL: db:backup copies SQLite only; use pg_dump -Fc (see SECURITY.md)',
  );
}

maybe('Online backup under write load (SQLite)', () => {
  let t: TestApp;
  const guard = new FiveHundredGuard();
  const dir = mkdtempSync(join(tmpdir(), 'cadre-backup-'));

  beforeAll(async () => {
    t = await startTestApp();
  }, BOOT_TIMEOUT);

  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
    expect(guard.seen).toEqual([]);
  });

  it('takes a consistent copy while people are created, and the copy has every write acknowledged before it', async () => {
    const api = guard.wrap(t);
    const admin = await t.token('admin');
    const me = await api('GET', '/api/v1/me', { token: admin });
    const orgId = me.json.roles[0].orgId as string;
    const acked: string[] = [];
    let stop = false;
    const writer = (async () => {
      for (let i = 0; !stop; i++) {
        const res = await api('POST', '/api/v1/users', {
          token: admin,
          body: {
            username: `bk${i}`,
            displayName: `备份${i}`,
            password: 'Quiet-River-2026',
            orgId,
          },
        });
        if (res.status === 201) {
          acked.push(res.json.id as string);
        }
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    const ackedBefore = [...acked];
    const file = join(dir, 'b1.sqlite');
    await backupSqlite((t.config.database as { path: string }).path, file);
    stop = true;
    await writer;
    expect(existsSync(file)).toBe(true);
    await checkSqliteBackup(file);
    const copy = new DataSource({ type: 'sqlite', database: file });
    await copy.initialize();
    try {
      const [row] = await copy.query<Array<{ integrity_check: string }>>('PRAGMA integrity_check');
      expect(row?.integrity_check).toBe('ok');
      expect(await copy.query('PRAGMA foreign_key_check')).toEqual([]);
      const ids = new Set(
        (
          await copy.query<Array<{ id: string }>>("SELECT id FROM users WHERE username LIKE 'bk%'")
        ).map((r) => r.id),
      );
      for (const id of ackedBefore) {
        expect(ids.has(id)).toBe(true);
      }
      // Nothing half-applied: every person in the copy has their roles.
      const orphans = await copy.query<unknown[]>(
        "SELECT u.id FROM users u LEFT JOIN role_assignments r ON r.user_id = u.id WHERE u.username LIKE 'bk%' AND r.id IS NULL",
      );
      expect(orphans).toEqual([]);
    } finally {
      await copy.destroy();
    }
    expect(acked.length).toBeGreaterThan(ackedBefore.length - 1);
    expect(await count(t, "SELECT COUNT(*) AS n FROM users WHERE username LIKE 'bk%'")).toBe(
      acked.length,
    );
  });

  it('refuses a damaged or foreign file before anything is replaced', async () => {
    const { writeFileSync } = await import('node:fs');
    const junk = join(dir, 'junk.sqlite');
    writeFileSync(junk, 'not a database at all');
    await expect(checkSqliteBackup(junk)).rejects.toThrow();
  });
});
