import Database from 'better-sqlite3';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { Client } from 'pg';
import { currentCode } from '../../src/attendance/check-in-code';
import { postgresFromGolden, sqliteFromGolden } from '../helpers/golden-database';
import { sameDayTimes } from '../helpers/study-day-times';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain CommonJS build script
const { ensureBuild, root } = require('../../scripts/ensure-build') as {
  ensureBuild: (entry: string) => string;
  root: string;
};

/**
 * SECURITY-TESTS.md 91 and issue 9 part 5: the real server (`node dist/main.js`) on a file database, a mixed write
 * load from this process, SIGKILL mid-load three times, restart on the same database; afterwards every write the
 * client saw acknowledged is there and nothing is half-applied.
 */
jest.setTimeout(240_000);

const ADMIN_PG =
  process.env.TEST_PG_ADMIN_URL ??
  process.env.DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';
const KILLS = 3;
const LOAD_MS = 4_000;
const WORKERS = 24;
const ZONE = 'Asia/Shanghai';
const GIFT = [
  '::k1:: 1 + 1 = ? {=2 ~3 ~4}',
  '',
  '::k2:: 水是湿的。 {T}',
  '',
  '::k3:: 3 + 3 = ? {=6 ~7}',
  '',
].join('\n');

interface Res {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- arbitrary JSON answers
  json: any;
}

/** What the client saw acknowledged (2xx), and what it sent without an answer (may or may not be applied). */
interface Ledger {
  completions: Array<{ userId: string; lessonId: string }>;
  saves: Map<string, { acked: unknown; unacked: unknown[] }>;
  submits: Array<{ attemptId: string; score: number }>;
  checkIns: Array<{ userId: string; sessionId: string }>;
  errors: string[];
}

/** A database the test can query from outside the server: SQLite file or PostgreSQL. */
interface Db {
  query<T>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Server {
  private child?: ChildProcess;
  private stderr = '';
  constructor(
    private readonly env: Record<string, string>,
    readonly url: string,
  ) {}

  async start(): Promise<void> {
    const child = spawn(process.execPath, [join(root, 'dist', 'main.js')], {
      cwd: root,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    this.child = child;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) {
        throw new Error(`server exited with ${child.exitCode}: ${this.stderr}`);
      }
      try {
        const res = await fetch(`${this.url}/healthz`);
        if (res.status === 200) {
          return;
        }
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`server did not become healthy: ${this.stderr}`);
  }

  /** SIGKILL the process this test started (by its own handle, never by name) and wait until it is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  }
}

async function call(
  url: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<Res> {
  const headers: Record<string, string> = {};
  if (token) {
    headers.authorization = `Bearer ${token}`;
  }
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(url + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json };
}

interface Person {
  username: string;
  id: string;
  token: string;
  branchId: string;
  lessons: string[];
  quizOk: boolean;
}

async function runScenario(kind: 'sqlite' | 'postgres'): Promise<void> {
  ensureBuild('main.js');
  const dir = mkdtempSync(join(tmpdir(), 'cadre-crash-'));
  const port = await freePort();
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    DEMO: '1',
    LOG_LEVEL: 'error',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dir,
    SQLITE_PATH: join(dir, 'academy.sqlite'),
  };
  let dropPg: (() => Promise<void>) | undefined;
  let db: Db;
  if (kind === 'postgres') {
    const name = `cadre_crash_${randomBytes(6).toString('hex')}`;
    await postgresFromGolden(ADMIN_PG, name);
    const url = new URL(ADMIN_PG);
    url.pathname = `/${name}`;
    env.DATABASE_URL = url.toString();
    const client = new Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    db = {
      query: async <T>(text: string, params: unknown[] = []) => {
        let n = 0;
        return (
          await client.query(
            text.replace(/\?/g, () => `$${++n}`),
            params,
          )
        ).rows as T[];
      },
      close: () => client.end(),
    };
    dropPg = async () => {
      const admin = new Client({ connectionString: ADMIN_PG });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    };
  } else {
    await sqliteFromGolden(env.SQLITE_PATH);
    // Opened only while the server is down, so this process never holds a lock the server needs.
    db = {
      query: async <T>(text: string, params: unknown[] = []) => {
        const file = new Database(env.SQLITE_PATH, { fileMustExist: true });
        try {
          return file.prepare(text).all(...params) as T[];
        } finally {
          file.close();
        }
      },
      close: async () => undefined,
    };
  }
  const url = `http://127.0.0.1:${port}`;
  const server = new Server(env, url);
  const ledger: Ledger = {
    completions: [],
    saves: new Map(),
    submits: [],
    checkIns: [],
    errors: [],
  };
  try {
    await server.start();
    const started = Date.now();

    // Set-up through the API: a quiz for everyone who can enrol, one study day per branch with check-in open.
    const login = async (username: string): Promise<string> => {
      const res = await call(url, 'POST', '/api/v1/auth/login', undefined, {
        username,
        password: 'demo1234',
      });
      if (res.status !== 200) {
        throw new Error(`login ${username}: ${res.status}`);
      }
      return res.json.accessToken as string;
    };
    const [trainer, admin] = [await login('trainer'), await login('admin')];
    const imported = await fetch(`${url}/api/v1/question-banks/import?format=gift&bankName=crash`, {
      method: 'POST',
      headers: { authorization: `Bearer ${trainer}`, 'content-type': 'text/plain' },
      body: GIFT,
    });
    expect(imported.status).toBe(201);
    const bankId = ((await imported.json()) as { bankId: string }).bankId;
    const quiz = await call(url, 'POST', '/api/v1/quizzes', trainer, {
      courseSlug: 'neighbour-mediation',
      title: '断电测验',
      bankId,
      passMark: 60,
    });
    expect(quiz.status).toBe(201);
    const quizId = quiz.json.id as string;

    const people: Person[] = [];
    for (let i = 1; i <= 72; i++) {
      const username = `user${String(i).padStart(3, '0')}`;
      const token = await login(username);
      const me = await call(url, 'GET', '/api/v1/me', token);
      const course = 'community-emergency-drill';
      const enrol = await call(url, 'POST', `/api/v1/courses/${course}/enrol`, token, {});
      let lessons: string[] = [];
      if ([200, 201, 409].includes(enrol.status)) {
        const outline = await call(url, 'GET', `/api/v1/courses/${course}`, token);
        lessons = (
          (outline.json?.modules ?? []) as Array<{ lessons: Array<{ id: string }> }>
        ).flatMap((m) => m.lessons.map((l) => l.id));
      }
      const qe = await call(url, 'POST', '/api/v1/courses/neighbour-mediation/enrol', token, {});
      people.push({
        username,
        id: me.json.id as string,
        token,
        branchId: me.json.branch?.id as string,
        lessons,
        quizOk: [200, 201, 409].includes(qe.status),
      });
    }
    expect(people.filter((p) => p.lessons.length > 0).length).toBeGreaterThan(10);
    expect(people.filter((p) => p.quizOk).length).toBeGreaterThan(10);

    const sessions = new Map<string, { id: string; secret: string }>();
    const { start: at, end: atEnd } = sameDayTimes(
      DateTime.now().setZone(ZONE).startOf('minute').plus({ minutes: 10 }),
      180,
    );
    const iso = (dt: DateTime): string => dt.toISO({ suppressMilliseconds: true }) as string;
    for (const branchId of new Set(people.map((p) => p.branchId).filter(Boolean))) {
      const made = await call(url, 'POST', `/api/v1/branches/${branchId}/study-days`, admin, {
        topic: '断电签到',
        startsAt: iso(at),
        endsAt: iso(atEnd),
        place: '活动室',
      });
      if (made.status !== 201) {
        continue;
      }
      const id = made.json.occurrences[0].id as string;
      expect(
        (await call(url, 'POST', `/api/v1/study-days/${id}/check-in-code`, admin)).status,
      ).toBe(200);
      sessions.set(branchId, { id, secret: '' });
    }
    expect(sessions.size).toBeGreaterThan(0);
    // The secrets are read once the server is down (SQLite) or right away (PostgreSQL).
    const readSecrets = async () => {
      for (const s of sessions.values()) {
        const [row] = await db.query<{ check_in_secret: string }>(
          'SELECT check_in_secret FROM attendance_sessions WHERE id = ?',
          [s.id],
        );
        s.secret = row?.check_in_secret ?? '';
      }
    };
    if (kind === 'postgres') {
      await readSecrets();
    } else {
      await server.kill();
      await readSecrets();
      await server.start();
    }

    // The load: each worker owns some people and acts for them one request at a time, so order is known.
    let stop = false;
    const open = new Map<
      string,
      {
        attemptId: string;
        questions: Array<{ id: string; type: string; options?: Array<{ id: string }> }>;
      }
    >();
    const progress = new Map<string, number>();
    const checked = new Set<string>();
    const act = async (p: Person): Promise<void> => {
      const roll = Math.random();
      if (roll < 0.35 && p.lessons.length > 0) {
        const n = progress.get(p.id) ?? 0;
        const lessonId = p.lessons[n % p.lessons.length];
        const res = await call(url, 'POST', `/api/v1/lessons/${lessonId}/complete`, p.token);
        if (res.status === 200) {
          ledger.completions.push({ userId: p.id, lessonId });
          progress.set(p.id, n + 1);
        } else if (res.status >= 500) {
          ledger.errors.push(`complete ${res.status}`);
        }
        return;
      }
      if (roll < 0.85 && p.quizOk) {
        let a = open.get(p.id);
        if (!a) {
          const res = await call(url, 'POST', `/api/v1/quizzes/${quizId}/attempts`, p.token);
          if (res.status === 200 || res.status === 201) {
            a = { attemptId: res.json.attemptId as string, questions: res.json.questions };
            open.set(p.id, a);
          } else if (res.status >= 500) {
            ledger.errors.push(`start ${res.status}`);
          }
          return;
        }
        if (Math.random() < 0.75) {
          const q = a.questions[Math.floor(Math.random() * a.questions.length)];
          if (!q) {
            return;
          }
          const options = q.options ?? [];
          const response =
            q.type === 'truefalse'
              ? Math.random() < 0.5
              : options[Math.floor(Math.random() * options.length)]?.id;
          const key = `${a.attemptId}|${q.id}`;
          const entry = ledger.saves.get(key) ?? { acked: undefined, unacked: [] };
          ledger.saves.set(key, entry);
          entry.unacked.push(response);
          const res = await call(url, 'PUT', `/api/v1/attempts/${a.attemptId}/answers`, p.token, {
            questionId: q.id,
            response,
          });
          if (res.status === 200) {
            entry.unacked.pop();
            entry.acked = response;
          } else if (res.status === 409) {
            open.delete(p.id);
          } else if (res.status >= 500) {
            ledger.errors.push(`save ${res.status}`);
          }
          return;
        }
        const res = await call(url, 'POST', `/api/v1/attempts/${a.attemptId}/submit`, p.token);
        if (res.status === 201) {
          ledger.submits.push({ attemptId: a.attemptId, score: res.json.score as number });
          open.delete(p.id);
        } else if (res.status >= 500) {
          ledger.errors.push(`submit ${res.status}`);
        }
        return;
      }
      const session = sessions.get(p.branchId);
      if (session && !checked.has(p.id)) {
        const res = await call(url, 'POST', `/api/v1/study-days/${session.id}/check-in`, p.token, {
          code: currentCode(session.secret, new Date()).code,
        });
        if (res.status === 201 || res.status === 409) {
          checked.add(p.id);
        }
        if (res.status === 201) {
          ledger.checkIns.push({ userId: p.id, sessionId: session.id });
        } else if (res.status >= 500) {
          ledger.errors.push(`check-in ${res.status}`);
        }
      }
    };
    const workers = Array.from({ length: WORKERS }, async (_, w) => {
      const mine = people.filter((_, i) => i % WORKERS === w);
      while (!stop) {
        for (const p of mine) {
          if (stop) {
            break;
          }
          try {
            await act(p);
          } catch {
            // Connection refused or reset while the server is down: the write was not acknowledged.
            await sleep(50);
          }
        }
      }
    });

    for (let k = 0; k < KILLS; k++) {
      await sleep(LOAD_MS * (0.5 + Math.random()));
      await server.kill();
      await sleep(200);
      await server.start();
    }
    await sleep(LOAD_MS);
    stop = true;
    await Promise.all(workers);
    await server.kill();
    const elapsed = Date.now() - started;

    // Verification on the database itself.
    expect(ledger.errors).toEqual([]);
    expect(ledger.completions.length).toBeGreaterThan(20);
    expect(ledger.submits.length).toBeGreaterThan(5);
    expect(ledger.checkIns.length).toBeGreaterThan(5);
    expect(ledger.saves.size).toBeGreaterThan(20);

    const missing: string[] = [];
    for (const c of ledger.completions) {
      const [row] = await db.query<{ completed_at: unknown }>(
        'SELECT completed_at FROM lesson_progress WHERE user_id = ? AND lesson_id = ?',
        [c.userId, c.lessonId],
      );
      if (!row?.completed_at) {
        missing.push(`progress ${c.lessonId}`);
      }
      const credit = await db.query(
        "SELECT id FROM study_hour_ledger WHERE user_id = ? AND activity_type = 'lesson' AND activity_id = ?",
        [c.userId, c.lessonId],
      );
      if (credit.length !== 1) {
        missing.push(`ledger ${c.lessonId}`);
      }
    }
    for (const s of ledger.submits) {
      const [row] = await db.query<{ status: string; score: unknown }>(
        'SELECT status, score FROM quiz_attempts WHERE id = ?',
        [s.attemptId],
      );
      if (row?.status !== 'submitted' || Number(row.score) !== s.score) {
        missing.push(`submit ${s.attemptId}`);
      }
    }
    for (const [key, entry] of ledger.saves) {
      if (entry.acked === undefined) {
        continue;
      }
      const [attemptId, questionId] = key.split('|');
      const [row] = await db.query<{ response: unknown }>(
        'SELECT response FROM attempt_questions WHERE attempt_id = ? AND question_id = ?',
        [attemptId, questionId],
      );
      const stored: unknown =
        typeof row?.response === 'string' ? JSON.parse(row.response) : row?.response;
      // The stored answer is the last acknowledged one, or one sent later whose answer the crash swallowed.
      if (
        ![entry.acked, ...entry.unacked].some((v) => JSON.stringify(v) === JSON.stringify(stored))
      ) {
        missing.push(`answer ${key}: ${JSON.stringify(stored)} vs ${JSON.stringify(entry.acked)}`);
      }
    }
    for (const c of ledger.checkIns) {
      const rows = await db.query(
        'SELECT id FROM attendance_records WHERE session_id = ? AND user_id = ?',
        [c.sessionId, c.userId],
      );
      if (rows.length !== 1) {
        missing.push(`check-in ${c.userId}`);
      }
    }
    expect(missing).toEqual([]);

    // Nothing half-applied: a submitted attempt has its grade and every question graded; a completed lesson of
    // the load's course has its credit.
    expect(
      await db.query(
        `SELECT a.id FROM quiz_attempts a WHERE a.quiz_id = ? AND a.status = 'submitted'
           AND (a.score IS NULL OR a.passed IS NULL OR a.submitted_at IS NULL
             OR EXISTS (SELECT 1 FROM attempt_questions q WHERE q.attempt_id = a.id AND q.credit IS NULL))`,
        [quizId],
      ),
    ).toEqual([]);
    expect(
      await db.query(
        `SELECT a.id FROM quiz_attempts a WHERE a.quiz_id = ?
           AND NOT EXISTS (SELECT 1 FROM attempt_questions q WHERE q.attempt_id = a.id)`,
        [quizId],
      ),
    ).toEqual([]);
    const userIds = people.map((p) => p.id);
    const completedWithoutCredit = await db.query<{ user_id: string }>(
      `SELECT p.user_id FROM lesson_progress p WHERE p.completed_at IS NOT NULL
         AND p.user_id IN (${userIds.map(() => '?').join(',')})
         AND NOT EXISTS (SELECT 1 FROM study_hour_ledger l WHERE l.user_id = p.user_id
           AND l.activity_type = 'lesson' AND l.activity_id = p.lesson_id)
         AND NOT EXISTS (SELECT 1 FROM lesson_progress t WHERE t.user_id = p.user_id AND t.course_id = p.course_id
           AND t.lesson_key = p.lesson_key AND t.lesson_id <> p.lesson_id AND t.completed_at IS NOT NULL)`,
      userIds,
    );
    expect(completedWithoutCredit).toEqual([]);
    expect(
      await db.query(
        'SELECT session_id, user_id FROM attendance_records GROUP BY session_id, user_id HAVING COUNT(*) > 1',
      ),
    ).toEqual([]);

    if (kind === 'sqlite') {
      expect(await db.query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
      expect(await db.query('PRAGMA foreign_key_check')).toEqual([]);
    }
    // A restart after the last kill still comes up and serves.
    await server.start();
    expect((await call(url, 'GET', '/api/v1/me', people[0]?.token)).status).toBe(200);
    await server.kill();

    console.log(
      `crash suite (${kind}): ${KILLS} kills in ${Math.round(elapsed / 1000)} s; acknowledged ` +
        `${ledger.completions.length} completions, ${ledger.saves.size} answers, ` +
        `${ledger.submits.length} submissions, ${ledger.checkIns.length} check-ins: all present`,
    );
  } finally {
    await server.kill();
    await db.close();
    await dropPg?.();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('Crash safety: SIGKILL under write load', () => {
  it('loses no acknowledged write and half-applies nothing on SQLite', async () => {
    await runScenario('sqlite');
  });

  it('loses no acknowledged write and half-applies nothing on PostgreSQL', async () => {
    await runScenario('postgres');
  });
});
