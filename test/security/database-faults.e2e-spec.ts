import { Logger } from '@nestjs/common';
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { AuthSessionEntity } from '../../src/auth/auth-session.entity';
import { sqliteFromGolden } from '../helpers/golden-database';
import { ApiResponse, startTestApp, TestApp, TEST_DB } from '../helpers/test-app';
import { BOOT_TIMEOUT, count, FiveHundredGuard, makePerson, orgByName } from './support';

/**
 * SECURITY-TESTS.md 94 and 97-100: the database misconfigured, locked by another process, moved away, read-only,
 * or (PostgreSQL) cutting the application's connections under load. Faults are real: a second process holding
 * SQLite's write lock, a file renamed under the running server, a file system mounted read-only (root cannot
 * write it either), file permissions enforced on an unprivileged user, backends terminated by the server.
 */
const ROOT = resolve(__dirname, '../..');
const onSqlite = TEST_DB === 'sqlite' ? it : it.skip;
const onPostgres = TEST_DB === 'postgres' ? it : it.skip;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What no error body may contain: SQL, driver names, file paths, stack frames. */
const LEAKS = /SELECT|INSERT|UPDATE|SQLITE|QueryFailed|\/tmp\/|\/work\/|\bat [\w.]+ \(|pg_/i;

const ZH_STORAGE = '数据库暂时不可用，您的操作没有保存，请稍后重试。';
const EN_STORAGE =
  'The database is unavailable right now; nothing was saved. Please try again later.';

/** A second process that takes SQLite's write lock (`BEGIN IMMEDIATE`) and keeps it until told to let go. */
const LOCKER = `
const sqlite3 = require(process.env.SQLITE3_MODULE);
const db = new sqlite3.Database(process.env.DB_FILE);
db.configure('busyTimeout', 10000);
db.exec('BEGIN IMMEDIATE; SELECT 1;', (error) => {
  if (error) { console.error(error.message); process.exit(2); }
  process.stdout.write('locked\\n');
});
process.stdin.on('end', () => db.exec('ROLLBACK', () => db.close(() => process.exit(0))));
process.stdin.resume();
`;

async function holdWriteLock(file: string): Promise<{ pid: number; release(): Promise<void> }> {
  const child = spawn(process.execPath, ['-e', LOCKER], {
    env: { ...process.env, DB_FILE: file, SQLITE3_MODULE: require.resolve('sqlite3') },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  await new Promise<void>((ok, fail) => {
    child.stdout.on('data', (d: Buffer) => (d.toString().includes('locked') ? ok() : undefined));
    void exited.then((code) => fail(new Error(`lock holder exited with ${code}`)));
  });
  return {
    pid: child.pid ?? 0,
    release: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

/** Can this process mount a small tmpfs (root with CAP_SYS_ADMIN)? Decided once, before the tests are declared. */
function canMount(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    return false;
  }
  const dir = mkdtempSync(join(tmpdir(), 'cadre-mnt-probe-'));
  const ok = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]).status === 0;
  if (ok) {
    spawnSync('umount', [dir]);
  }
  rmSync(dir, { recursive: true, force: true });
  return ok;
}

const MOUNT = TEST_DB === 'sqlite' && canMount();
const AS_ROOT = TEST_DB === 'sqlite' && process.platform === 'linux' && process.getuid?.() === 0;
const NOBODY = 65534;

/**
 * Runs the real entry point (`src/main.ts`, compiled on the fly by swc with the project's .swcrc), as the
 * unprivileged user `nobody` when asked, so file permissions apply (root ignores them). Resolves when it exits, or, once it
 * says it is running (or after `ms`), with `running: true` after this test killed it by its own handle.
 */
async function runMain(
  env: Record<string, string>,
  hookDir: string,
  opts: { asNobody: boolean; ms?: number },
): Promise<{ code: number | null; output: string; running: boolean }> {
  const child = spawn(process.execPath, ['-r', join(hookDir, 'swc-hook.js'), 'src/main.ts'], {
    cwd: ROOT,
    ...(opts.asNobody ? { uid: NOBODY, gid: NOBODY } : {}),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: hookDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let running = false;
  const stop = () => {
    running = true;
    child.kill('SIGKILL');
  };
  const collect = (d: Buffer) => {
    output = (output + d.toString()).slice(-8000);
    if (output.includes('Cadre Academy is running at')) {
      stop();
    }
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const timer = setTimeout(stop, opts.ms ?? 90_000);
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  clearTimeout(timer);
  return { code, output, running };
}

const SWC_HOOK = (root: string) => `
const { readFileSync } = require('node:fs');
const { transformSync } = require(${JSON.stringify(join(root, 'node_modules/@swc/core'))});
const config = JSON.parse(readFileSync(${JSON.stringify(join(root, '.swcrc'))}, 'utf8'));
delete config.$schema;
config.sourceMaps = false;
require.extensions['.ts'] = (module, filename) => {
  module._compile(transformSync(readFileSync(filename, 'utf8'), { ...config, filename, swcrc: false }).code, filename);
};
`;

describe('Database faults: settings, lock, moved file, lost connections (94, 98, 99, 100)', () => {
  let t: TestApp;
  const guard = new FiveHundredGuard();
  let api: TestApp['api'];
  let admin: string;
  let orgId: string;
  const logged: Record<'log' | 'warn' | 'error', string[]> = { log: [], warn: [], error: [] };
  const spies: jest.SpyInstance[] = [];

  beforeAll(async () => {
    for (const level of ['log', 'warn', 'error'] as const) {
      spies.push(
        jest.spyOn(Logger.prototype, level).mockImplementation((...args: unknown[]) => {
          logged[level].push(String(args[0]));
        }),
      );
    }
    t = await startTestApp();
    api = guard.wrap(t);
    admin = await t.token('admin');
    const me = await api('GET', '/api/v1/me', { token: admin });
    orgId = me.json.roles[0].orgId as string;
  }, BOOT_TIMEOUT);

  afterAll(async () => {
    await t?.close();
    spies.forEach((s) => s.mockRestore());
    expect(guard.seen).toEqual([]);
  });

  const sqlitePath = (): string => (t.config.database as { path: string }).path;
  const detail = () => t.api('GET', '/api/v1/admin/health', { token: admin });
  const newUser = (token: string, username: string, lang?: string): Promise<ApiResponse> =>
    t.api('POST', '/api/v1/users', {
      token,
      headers: lang ? { 'accept-language': lang } : {},
      body: { username, displayName: username, password: 'Quiet-River-2026', orgId },
    });
  const setting = (res: ApiResponse, name: string) =>
    (res.json.database.settings as Array<{ name: string; value: string; ok: boolean }>).find(
      (s) => s.name === name,
    );

  it('94: the durability settings are logged at start-up and shown to admins only; /healthz says only ok', async () => {
    const res = await api('GET', '/api/v1/admin/health', { token: admin });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.json.status).toBe('ok');
    expect(res.json.database.type).toBe(t.db);
    expect(res.json.database.reachable).toBe(true);
    expect(res.json.database.settingsOk).toBe(true);
    const values = Object.fromEntries(
      (res.json.database.settings as Array<{ name: string; value: string }>).map((s) => [
        s.name,
        s.value,
      ]),
    );
    if (t.db === 'sqlite') {
      expect(values.journal_mode).toBe('wal');
      expect(values.synchronous).toBe('2'); // FULL, not the WAL default NORMAL (1)
      expect(values.foreign_keys).toBe('1');
      expect(Number(values.busy_timeout)).toBeGreaterThan(0);
      const [major, minor, patch] = String(values.sqlite_version).split('.').map(Number);
      expect(major * 1e6 + minor * 1e3 + patch).toBeGreaterThanOrEqual(3_051_003);
      expect(res.json.database.file).toBe('unchanged');
      // The same values as the connection the application writes through reports itself.
      const [sync] = await t.dataSource.query<Array<{ synchronous: number }>>('PRAGMA synchronous');
      expect(String(sync?.synchronous)).toBe(values.synchronous);
    } else {
      expect(values.fsync).toBe('on');
      expect(values.synchronous_commit).toBe('on');
      expect(values.full_page_writes).toBe('on');
      // Cross-checked from an independent connection to the same database.
      const own = new Client({ connectionString: (t.config.database as { url: string }).url });
      await own.connect();
      try {
        for (const name of ['fsync', 'synchronous_commit', 'full_page_writes']) {
          const { rows } = await own.query<Record<string, string>>(`SHOW ${name}`);
          expect(rows[0]?.[name]).toBe(values[name]);
        }
      } finally {
        await own.end();
      }
    }
    // Logged once at start-up, with every value.
    const line = logged.log.find((l) => l.startsWith(`${t.db} settings:`));
    expect(line).toBeDefined();
    for (const [name, value] of Object.entries(values)) {
      expect(line).toContain(`${name}=${value}`);
    }
    expect(logged.warn.filter((l) => l.includes('put acknowledged writes at risk'))).toEqual([]);

    // Anonymous: only ok / not ok. Signed in without the admin role: refused.
    const health = await api('GET', '/healthz');
    expect(health.status).toBe(200);
    expect(health.json).toEqual({ status: 'ok', db: 'ok' });
    expect((await api('GET', '/api/v1/admin/health')).status).toBe(401);
    for (const who of ['cadre', 'secretary', 'trainer']) {
      const denied = await api('GET', '/api/v1/admin/health', { token: await t.token(who) });
      expect(denied.status).toBe(403);
      expect(denied.text).not.toContain('journal_mode');
      expect(denied.text).not.toContain('fsync');
    }
  });

  onSqlite(
    '94: a setting that differs is reported, not assumed (synchronous=NORMAL on the live connection, SQLite)',
    async () => {
      await t.dataSource.query('PRAGMA synchronous = NORMAL');
      try {
        const res = await detail();
        expect(res.status).toBe(503);
        expect(res.json.status).toBe('degraded');
        expect(res.json.database.settingsOk).toBe(false);
        expect(setting(res, 'synchronous')).toMatchObject({ value: '1', ok: false });
        expect(setting(res, 'journal_mode')).toMatchObject({ value: 'wal', ok: true });
      } finally {
        await t.dataSource.query('PRAGMA synchronous = FULL');
      }
      expect((await detail()).status).toBe(200);
    },
  );

  onPostgres(
    '94: a setting that differs is reported, not assumed (synchronous_commit=off for new connections, PostgreSQL)',
    async () => {
      const own = new Client({ connectionString: (t.config.database as { url: string }).url });
      await own.connect();
      const dbName = async (): Promise<string> =>
        (await own.query<{ db: string }>('SELECT current_database() AS db')).rows[0]?.db ?? '';
      const reconnectWith = async (want: string): Promise<ApiResponse> => {
        // Only this suite's database and only the application's own connections (never the server itself).
        await own.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
        );
        let res: ApiResponse | undefined;
        for (let i = 0; i < 50; i++) {
          res = await detail();
          if (res.json?.database?.reachable && setting(res, 'synchronous_commit')?.value === want) {
            return res;
          }
          await sleep(100);
        }
        throw new Error(`synchronous_commit never became ${want}: ${res?.text}`);
      };
      try {
        await own.query(`ALTER DATABASE "${await dbName()}" SET synchronous_commit = off`);
        const res = await reconnectWith('off');
        expect(res.status).toBe(503);
        expect(res.json.database.settingsOk).toBe(false);
        expect(setting(res, 'synchronous_commit')).toMatchObject({ value: 'off', ok: false });
        expect(setting(res, 'fsync')).toMatchObject({ value: 'on', ok: true });
      } finally {
        await own.query(`ALTER DATABASE "${await dbName()}" RESET synchronous_commit`);
        const back = await reconnectWith('on');
        await own.end();
        expect(back.status).toBe(200);
      }
    },
  );

  onSqlite(
    '98: another process holds the write lock past busy_timeout: writes 503 in both languages, reads work, all recovers (SQLite)',
    async () => {
      const busyTimeout = Number(setting(await detail(), 'busy_timeout')?.value);
      expect(busyTimeout).toBeGreaterThan(0);
      const learner = await t.token('cadre');
      // Someone whose last request was two minutes ago: their next request is due a last-seen update (a write).
      const home = await orgByName(t, '阳光社区第一党支部');
      const idle = await makePerson(t, `idle_${Date.now().toString(36)}`, home);
      await t.dataSource
        .getRepository(AuthSessionEntity)
        .update({ userId: idle.id }, { lastSeenAt: new Date(Date.now() - 120_000) });
      const before = await count(
        t,
        "SELECT COUNT(*) AS n FROM users WHERE username LIKE 'locked%'",
      );

      const lock = await holdWriteLock(sqlitePath());
      expect(lock.pid).toBeGreaterThan(0);
      try {
        const started = Date.now();
        const [zh, en] = await Promise.all([
          newUser(admin, 'locked_zh'),
          newUser(admin, 'locked_en', 'en'),
        ]);
        const waited = Date.now() - started;
        for (const res of [zh, en]) {
          expect(res.status).toBe(503);
          expect(res.json.error).toBe('STORAGE_UNAVAILABLE');
          expect(res.text).not.toMatch(LEAKS);
        }
        expect(zh.json.message).toBe(ZH_STORAGE);
        expect(en.json.message).toBe(EN_STORAGE);
        // It waited for the lock (busy_timeout), and did not hang: both answered within a few timeouts.
        expect(waited).toBeGreaterThanOrEqual(busyTimeout * 0.8);
        expect(waited).toBeLessThan(busyTimeout * 4 + 5_000);

        // Reads still answer, including one whose session bookkeeping would like to write.
        const reads = await Promise.all([
          t.api('GET', '/api/v1/me', { token: learner }),
          t.api('GET', '/api/v1/users?q=user00', { token: admin }),
          t.api('GET', '/api/v1/me', { token: idle.token }),
          t.api('GET', '/healthz'),
        ]);
        expect(reads.map((r) => r.status)).toEqual([200, 200, 200, 200]);
        expect(reads[2]?.json.id).toBe(idle.id);
      } finally {
        await lock.release();
      }
      expect(await count(t, "SELECT COUNT(*) AS n FROM users WHERE username LIKE 'locked%'")).toBe(
        before,
      );

      // Released: the same write goes through at once and is there.
      const after = await newUser(admin, 'locked_zh');
      expect(after.status).toBe(201);
      expect(
        await count(t, 'SELECT COUNT(*) AS n FROM users WHERE id = ? AND username = ?', [
          after.json.id,
          'locked_zh',
        ]),
      ).toBe(1);
      expect((await api('GET', '/healthz')).status).toBe(200);
    },
    120_000,
  );

  onSqlite(
    '99: the database file moved or replaced while running: /healthz 503, the detail says which, one clear log line (SQLite)',
    async () => {
      const path = sqlitePath();
      const moved = `${path}.moved`;
      logged.error.length = 0;
      expect((await api('GET', '/healthz')).status).toBe(200);

      renameSync(path, moved);
      try {
        for (let i = 0; i < 3; i++) {
          const health = await t.api('GET', '/healthz');
          expect(health.status).toBe(503);
          expect(health.json).toEqual({ status: 'degraded', db: 'down' });
        }
        const res = await detail();
        expect(res.status).toBe(503);
        expect(res.json.database.file).toBe('missing');
        expect(res.json.database.settingsOk).toBe(true);
        const lines = logged.error.filter((l) => l.includes('database file'));
        expect(lines).toHaveLength(1); // once per change, not once per probe
        expect(lines[0]).toContain(path);
        expect(lines[0]).toContain('moved away or deleted');

        // Another file put at the path (a restore over a running server) is not the one the server writes to.
        copyFileSync(moved, path);
        expect((await t.api('GET', '/healthz')).status).toBe(503);
        expect((await detail()).json.database.file).toBe('replaced');
        expect(logged.error.filter((l) => l.includes('replaced by another file'))).toHaveLength(1);
      } finally {
        rmSync(path, { force: true });
        renameSync(moved, path);
      }
      expect((await api('GET', '/healthz')).json).toEqual({ status: 'ok', db: 'ok' });
      const back = await api('GET', '/api/v1/admin/health', { token: admin });
      expect(back.status).toBe(200);
      expect(back.json.database.file).toBe('unchanged');
      expect(logged.log.some((l) => l.includes(`database file ${path} is back`))).toBe(true);
    },
  );

  onPostgres(
    "100: the application's connections are cut again and again under load: 503 never 500, reconnects, no acknowledged write lost (PostgreSQL)",
    async () => {
      const own = new Client({ connectionString: (t.config.database as { url: string }).url });
      await own.connect();
      const statuses = new Map<number, number>();
      const note = (res: ApiResponse) => {
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status >= 500) {
          expect(res.status).toBe(503);
          expect(res.json.error).toBe('STORAGE_UNAVAILABLE');
          expect(res.text).not.toMatch(LEAKS);
        }
      };
      const acked: string[] = [];
      const ackedIn = { before: 0, during: 0, after: 0 };
      let duringOutage503 = 0;
      let phase: keyof typeof ackedIn = 'before';
      const outage = () => phase === 'during';
      let stop = false;
      const writer = async (w: number) => {
        for (let i = 0; !stop; i++) {
          const res = await newUser(admin, `pgcut${w}_${i}`);
          note(res);
          if (res.status === 201) {
            acked.push(res.json.id as string);
            ackedIn[phase] += 1;
          } else {
            expect(res.status).toBe(503);
            duringOutage503 += outage() ? 1 : 0;
          }
        }
      };
      const reader = async () => {
        while (!stop) {
          const res = await t.api('GET', '/api/v1/users?q=pgcut', { token: admin });
          note(res);
          expect([200, 503]).toContain(res.status);
        }
      };
      const load = [...[0, 1, 2, 3, 4, 5].map(writer), reader(), reader()];
      let terminated = 0;
      try {
        await sleep(1_500);
        phase = 'during';
        const until = Date.now() + 2_500;
        while (Date.now() < until) {
          const { rows } = await own.query<{ t: boolean }>(
            'SELECT pg_terminate_backend(pid) AS t FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
          );
          terminated += rows.filter((r) => r.t).length;
          await sleep(20);
        }
        phase = 'after';
        await sleep(3_000);
      } finally {
        stop = true;
        await Promise.all(load);
      }
      expect(terminated).toBeGreaterThan(0);
      expect(duringOutage503).toBeGreaterThan(0);
      // The load itself went on after the outage: the pool reconnected without a restart.
      expect(ackedIn.before).toBeGreaterThan(0);
      expect(ackedIn.after).toBeGreaterThan(0);
      expect(logged.warn.some((l) => l.startsWith('PostgreSQL connection lost'))).toBe(true);
      expect([...statuses.keys()].filter((s) => ![200, 201, 503].includes(s))).toEqual([]);

      // Reconnected by itself: writes and reads work, and the pool is not left exhausted.
      const again = await newUser(admin, 'pgcut_after');
      expect(again.status).toBe(201);
      acked.push(again.json.id as string);
      const burst = await Promise.all(
        Array.from({ length: 30 }, () => t.api('GET', '/api/v1/me', { token: admin })),
      );
      expect(burst.every((r) => r.status === 200)).toBe(true);
      expect((await api('GET', '/healthz')).status).toBe(200);
      const { rows: conns } = await own.query<{ n: string }>(
        'SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      );
      expect(Number(conns[0]?.n)).toBeLessThanOrEqual(10);

      // Every write the client saw acknowledged is there, whole (the person and their role at the branch).
      const { rows } = await own.query<{ id: string; roles: string }>(
        'SELECT u.id, (SELECT COUNT(*) FROM role_assignments r WHERE r.user_id = u.id) AS roles FROM users u WHERE u.id = ANY($1)',
        [acked],
      );
      await own.end();
      expect(rows.map((r) => r.id).sort()).toEqual([...acked].sort());
      expect(rows.every((r) => Number(r.roles) > 0)).toBe(true);
    },
    120_000,
  );
});

describe('Read-only database (97)', () => {
  // Root ignores file permissions, so the chmod cases run the real entry point as `nobody`; the read-only file
  // system is a tmpfs remounted read-only (EROFS even for root). Neither can be set up without root.
  const roMount = MOUNT ? it : it.skip;
  const asNobody = AS_ROOT ? it : it.skip;
  if (TEST_DB !== 'sqlite') {
    it.skip('97 is SQLite only: a read-only PostgreSQL is the server administrator’s concern', () =>
      undefined);
  }
  let hookDir: string;
  let dataDir: string;

  beforeAll(() => {
    if (!AS_ROOT) {
      return;
    }
    hookDir = mkdtempSync(join(tmpdir(), 'cadre-main-'));
    chmodSync(hookDir, 0o755);
    writeFileSync(join(hookDir, 'swc-hook.js'), SWC_HOOK(ROOT), { mode: 0o644 });
    dataDir = join(hookDir, 'data');
    mkdirSync(dataDir);
    chownSync(dataDir, NOBODY, NOBODY);
  });

  afterAll(() => {
    if (hookDir) {
      rmSync(hookDir, { recursive: true, force: true });
    }
  });

  const envFor = (file: string): Record<string, string> => ({
    NODE_ENV: 'test',
    SQLITE_PATH: file,
    DATA_DIR: dataDir,
    SESSION_SECRET: 'x'.repeat(48),
    LOG_LEVEL: 'error',
    DEMO: '0',
    PORT: '0',
    HOST: '127.0.0.1',
  });

  /** A copy of the demo database owned by nobody, in a folder owned by nobody. */
  const databaseFor = async (name: string): Promise<{ dir: string; file: string }> => {
    const dir = join(hookDir, name);
    mkdirSync(dir);
    const file = join(dir, 'academy.sqlite');
    await sqliteFromGolden(file);
    chownSync(dir, NOBODY, NOBODY);
    chownSync(file, NOBODY, NOBODY);
    return { dir, file };
  };

  roMount(
    '97: the database on a file system mounted read-only: start-up fails at once with a clear message, nothing serves (SQLite)',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cadre-ro-'));
      expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256m', 'tmpfs', dir]).status).toBe(0);
      try {
        const file = join(dir, 'academy.sqlite');
        await sqliteFromGolden(file);
        expect(spawnSync('mount', ['-o', 'remount,ro', dir]).status).toBe(0);
        expect(() => writeFileSync(join(dir, 'x'), 'x')).toThrow(/EROFS/);
        const started = Date.now();
        const run = await runMain(envFor(file), hookDir, { asNobody: false });
        expect(run.running).toBe(false);
        expect(run.code).not.toBe(0);
        expect(run.output).toMatch(
          new RegExp(`Cannot use the SQLite database ${file} \\(SQLITE_(CANTOPEN|READONLY)\\)`),
        );
        expect(run.output).toContain('not mounted read-only');
        expect(run.output).toContain('Nothing was started');
        expect(run.output).not.toContain('Retrying'); // not nine attempts three seconds apart
        expect(Date.now() - started).toBeLessThan(60_000);
      } finally {
        spawnSync('umount', ['-l', dir]);
        rmSync(dir, { recursive: true, force: true });
      }
    },
    BOOT_TIMEOUT,
  );

  asNobody(
    '97: chmod 444 on the database file: start-up fails with a clear message, not a server that 503s every write (SQLite)',
    async () => {
      const { file } = await databaseFor('file-444');
      chmodSync(file, 0o444);
      const run = await runMain(envFor(file), hookDir, { asNobody: true });
      expect(run.running).toBe(false);
      expect(run.code).not.toBe(0);
      expect(run.output).toContain(`Cannot use the SQLite database ${file} (SQLITE_READONLY)`);
      expect(run.output).toContain('owner and permissions');
      expect(run.output).not.toContain('Retrying');
    },
    BOOT_TIMEOUT,
  );

  asNobody(
    '97: chmod 555 on its folder (no room for -wal and -shm): start-up fails with a clear message (SQLite)',
    async () => {
      const { dir, file } = await databaseFor('dir-555');
      chmodSync(dir, 0o555);
      const run = await runMain(envFor(file), hookDir, { asNobody: true });
      expect(run.running).toBe(false);
      expect(run.code).not.toBe(0);
      expect(run.output).toMatch(
        new RegExp(`Cannot use the SQLite database ${file} \\(SQLITE_(CANTOPEN|READONLY)\\)`),
      );
      expect(run.output).toContain('academy.sqlite-wal');
      expect(run.output).not.toContain('Retrying');
    },
    BOOT_TIMEOUT,
  );

  asNobody(
    '97: control: the same copy with write permission starts as nobody and serves (the failures above are the permissions)',
    async () => {
      const { file } = await databaseFor('writable');
      const run = await runMain({ ...envFor(file), LOG_LEVEL: 'info' }, hookDir, {
        asNobody: true,
      });
      expect(run.output).not.toContain('Cannot use the SQLite database');
      expect(run.output).toContain('Cadre Academy is running at');
      expect(run.running).toBe(true);
    },
    BOOT_TIMEOUT,
  );
});
