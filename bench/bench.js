// `npm run bench [-- --db sqlite|postgres] [--driver sqlite3|better-sqlite3] [--quick] [--no-tenth]`
// Builds, generates the bench city when it is missing, starts the app on it as a child process, and drives it with
// autocannon (pages by rotating lists, the quiz flow and the storms as virtual users; see `flow`); prints one table
// and writes bench/results/<date>-<db>.json. See README "Performance".
const autocannon = require('autocannon');
const { DateTime } = require('luxon');
const http = require('node:http');
const { spawn, execFileSync } = require('node:child_process');
const { existsSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { randomUUID } = require('node:crypto');
const { openDb, mintSessions, signCookie } = require('./db');
const { startHello, rawInsertRate, captureRegularitySql, timeSql } = require('./references');
const { NODE_ARGS, serverEnv } = require('../scripts/server');

const root = join(__dirname, '..');
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1] : dflt;
};
const DB = opt('db', 'sqlite');
const DRIVER = opt('driver', 'sqlite3');
const QUICK = flag('quick');
// `--only <regex>`: run just the matching scenarios (for profiling one path); references always run.
const ONLY = opt('only', null) ? new RegExp(opt('only', null), 'i') : null;
const selected = (name) => !ONLY || ONLY.test(name);
const SECRET = 'bench-session-secret-0123456789abcdef0123456789abcdef';
const PORT = 3917;
const HELLO_PORT = 3918;
const BASE = `http://127.0.0.1:${PORT}`;
// --levels 50,200: the connection levels (a quick run has only 50 unless told).
const LEVELS = opt('levels', QUICK ? '50' : '50,200')
  .split(',')
  .map(Number);
const DURATION = QUICK ? 3 : 8;
const WARMUP = QUICK ? 1 : 2;
const dataDir = join(root, 'data/bench');
const label = DB === 'postgres' ? 'postgres' : `sqlite-${DRIVER}`;
const fullArgs = ['--users', '20000', '--branches', '2000', '--years', '5', '--seed', '1'];

function log(...a) {
  console.error('[bench]', ...a);
}

function cli(env, args) {
  execFileSync(process.execPath, [join(root, 'dist/cli/cli.js'), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: 'inherit',
  });
}

function dbEnv(sqlitePath) {
  return DB === 'postgres'
    ? { DATABASE_URL: process.env.DATABASE_URL, DEMO: '0' }
    : { SQLITE_PATH: sqlitePath, SQLITE_DRIVER: DRIVER, DEMO: '0' };
}

async function ensureData(sqlitePath, args) {
  if (DB === 'postgres') {
    if (!process.env.DATABASE_URL) {
      throw new Error('--db postgres needs DATABASE_URL');
    }
    const db = await openDb('postgres', process.env.DATABASE_URL);
    let users = 0;
    try {
      users = Number((await db.all('SELECT COUNT(*) AS n FROM users'))[0].n);
    } catch {
      users = 0; // no schema yet
    } finally {
      await db.close();
    }
    if (users === 0) {
      log('generating the bench city on PostgreSQL', args.join(' '));
      cli(dbEnv(), ['load:generate', ...args]);
    }
    return;
  }
  if (!existsSync(sqlitePath)) {
    log('generating the bench city', sqlitePath, args.join(' '));
    cli(dbEnv(sqlitePath), ['load:generate', ...args]);
  }
}

/** The app's process, for its memory and CPU time. */
let appPid = null;

/**
 * CPU time the app has used so far (all its threads: JavaScript, the SQLite connections' thread pool, GC), in ms.
 * Per request it is a steadier figure than a rate on a shared, noisy 2-core machine, where the load generator
 * competes for the same cores.
 */
function cpuMs() {
  try {
    const fields = readFileSync(`/proc/${appPid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime (fields 14 and 15 of the line; 12 and 13 after the command name) in clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

function rssOf(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number((new RegExp(`${k}:\\s+(\\d+)`).exec(s) ?? [0, 0])[1]);
    // Anonymous memory (heaps) and mapped file pages (SQLite's memory map) apart, to see which one grows.
    return {
      hwmMb: kb('VmHWM') / 1024,
      rssMb: kb('VmRSS') / 1024,
      anonMb: kb('RssAnon') / 1024,
      fileMb: kb('RssFile') / 1024,
    };
  } catch {
    return { hwmMb: 0, rssMb: 0, anonMb: 0, fileMb: 0 };
  }
}

async function startApp(sqlitePath) {
  const t0 = performance.now();
  // BENCH_NODE_ARGS: flags for the app's node, e.g. `--cpu-prof --cpu-prof-dir=profiles` (not allowed in NODE_OPTIONS).
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...NODE_ARGS, ...nodeArgs, join(root, 'dist/main.js')], {
    cwd: root,
    env: {
      // As `npm start` runs it (scripts/server.js: the malloc settings, and the node flags above).
      ...serverEnv(),
      ...dbEnv(sqlitePath),
      NODE_ENV: 'production',
      // As deployed behind a reverse proxy: client addresses come from X-Forwarded-For.
      TRUST_PROXY: '1',
      SESSION_SECRET: SECRET,
      LOG_LEVEL: 'warn',
      PORT: String(PORT),
      HOST: '127.0.0.1',
      PUBLIC_URL: BASE,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`app exited with ${child.exitCode}`);
    }
    try {
      const r = await request('GET', '/healthz');
      if (r.status === 200) {
        break;
      }
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  appPid = child.pid;
  return { child, readyMs: performance.now() - t0 };
}

/**
 * Stops the app and waits until it has exited: the next app (the tenth-size city) listens on the same port, and
 * one started while the last was still shutting down found the port taken and exited, while its readiness check
 * was answered by the old one.
 */
async function stopApp(child) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
/** `parse: false` only drains the body: the time to its last byte, not the driver's own JSON.parse of it. */
function request(method, path, { headers = {}, body, parse = true } = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      `${BASE}${path}`,
      {
        method,
        agent,
        headers: {
          ...headers,
          ...(data
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) }
            : {}),
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => (parse ? chunks.push(c) : undefined));
        res.on('end', () => {
          if (!parse) {
            resolve({ status: res.statusCode, headers: res.headers, json: undefined, text: '' });
            return;
          }
          const text = Buffer.concat(chunks).toString('utf8');
          let json;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode, headers: res.headers, json, text });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** Waits until the app answers /healthz quickly again (requests queued by the last scenario are done). */
/**
 * Learner and lesson pairs in a seeded random order: requests cycle through the list, and in query order all 50
 * connections would ask for one learner's twelve lessons at once, which is not how a city reads.
 */
function inRandomOrder(rows) {
  const { SeededRandom } = require(join(root, 'dist/loadgen/loadgen.random.js'));
  return new SeededRandom(1).shuffled(rows);
}

async function drain() {
  const end = Date.now() + 60_000;
  while (Date.now() < end) {
    const t = performance.now();
    await request('GET', '/healthz').catch(() => undefined);
    if (performance.now() - t < 50) {
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

function cannon(opts) {
  return new Promise((resolve, reject) => autocannon(opts, (e, r) => (e ? reject(e) : resolve(r))));
}

/** autocannon over a rotating list of (path, headers): warm-up, then the measured run. */
async function load(
  name,
  connections,
  items,
  { duration = DURATION, method = 'GET', url = BASE, amount } = {},
) {
  let i = 0;
  const requests = [
    {
      method,
      setupRequest: (req) => {
        const it = items[i++ % items.length];
        return { ...req, path: it.path, headers: { ...req.headers, ...(it.headers ?? {}) } };
      },
    },
  ];
  // `amount`: a fixed burst (every connection asks once) for requests that take seconds, so the run ends with
  // the app idle instead of a queue of minutes carried into the next scenario.
  const run = amount ? { amount, timeout: 600 } : { duration };
  if (amount) {
    await request(method, items[0].path, { headers: items[0].headers });
  } else {
    await cannon({ url, connections, duration: WARMUP, requests });
    await drain();
  }
  const cpu0 = cpuMs();
  const r = await cannon({ url, connections, requests, ...run });
  const cpu = cpuMs() - cpu0;
  return {
    cpuMsPerRequest: url === BASE ? cpu / r.requests.total : null,
    name,
    connections,
    requests: r.requests.total,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts + r.non2xx,
  };
}

/** A `cookie` header per reader: their session plus the cookies their first page set (the CSRF secret). */
async function cookieJars(ids, sessionCookies) {
  const jar = new Map();
  for (const id of ids) {
    const sid = `sid=${encodeURIComponent(sessionCookies.get(id))}`;
    const first = await request('GET', '/', { headers: { cookie: sid }, parse: false });
    const set = (first.headers['set-cookie'] ?? [])
      .map((c) => c.split(';')[0])
      .filter((c) => !c.startsWith('sid='));
    jar.set(id, [sid, ...set].join('; '));
  }
  return jar;
}

/**
 * Virtual users driven by autocannon, the client the hello reference is measured with: each job is one user's
 * requests in order (a learner's ten answers), and a connection takes the next job once its last one is done.
 * autocannon gives every connection an equal share of the requests, so the jobs must be of one length and
 * divide evenly among the connections (they do for every flow here; anything else is refused rather than cut
 * off mid-job).
 *
 * A step is `{ method, path, headers, body, then(status, json) }`; `then` sees each answer (its JSON parsed only
 * when the step asks with `parse: true`). Answers of 300 and above count as errors. The row's rate is requests
 * over the wall time of the whole wave, its latencies autocannon's.
 */
async function flow(name, connections, jobs) {
  const queue = jobs.slice();
  const steps = jobs[0]?.length ?? 0;
  const total = jobs.length * steps;
  const conns = Math.min(connections, jobs.length);
  if (jobs.some((job) => job.length !== steps) || jobs.length % conns !== 0) {
    throw new Error(`${name}: ${jobs.length} jobs do not divide among ${conns} connections evenly`);
  }
  let errors = 0;
  let lastAnswer = 0;
  // One entry per step: autocannon walks a connection through the list and starts a fresh context after its
  // last entry, which is where the connection takes its next job.
  const step = {
    setupRequest: (req, context) => {
      context.steps ??= (queue.shift() ?? []).slice();
      const next = context.steps.shift();
      context.step = next;
      const body = next.body === undefined ? undefined : JSON.stringify(next.body);
      return {
        ...req,
        method: next.method,
        path: next.path,
        headers: {
          ...req.headers,
          ...next.headers,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body,
      };
    },
    onResponse: (status, body, context) => {
      lastAnswer = performance.now();
      if (status >= 300) {
        errors++;
      }
      const done = context.step;
      if (done?.then) {
        let json;
        if (done.parse) {
          try {
            json = JSON.parse(body);
          } catch {
            json = undefined;
          }
        }
        done.then(status, json);
      }
    },
  };
  const requests = Array.from({ length: steps }, () => step);
  const t0 = performance.now();
  const cpu0 = cpuMs();
  const r = await cannon({ url: BASE, connections: conns, amount: total, timeout: 600, requests });
  const cpu = cpuMs() - cpu0;
  // Up to the last answer: autocannon itself finishes at its next one-second tick after it.
  const elapsedMs = lastAnswer - t0;
  return {
    name,
    connections,
    requests: r.requests.total,
    rps: (r.requests.total * 1000) / elapsedMs,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: errors + r.errors + r.timeouts,
    cpuMsPerRequest: cpu / r.requests.total,
  };
}

async function timed(samples, fn) {
  const t = performance.now();
  const r = await fn();
  samples.push(performance.now() - t);
  return r;
}

function answerFor(q) {
  switch (q.type) {
    case 'single':
      return q.options?.[0]?.id ?? 'x';
    case 'multiple':
      return q.options?.slice(0, 1).map((o) => o.id) ?? [];
    case 'truefalse':
      return true;
    case 'numerical':
      return 1;
    case 'matching':
      return Object.fromEntries((q.left ?? []).map((l, i) => [l.id, (q.right ?? [])[i]?.id ?? '']));
    default:
      return '答案';
  }
}

/**
 * The quiz flow per virtual learner: start, save 10 answers, submit, in three waves as an exam runs (everyone
 * starts, everyone answers, everyone hands in). Each wave is timed on its own, so each row's rate is what the app
 * sustains for that request with every connection busy with it (in one interleaved flow, start and submit could
 * never exceed a tenth of the save rate, whatever their own cost).
 */
async function quizFlow(connections, quizId, tokens) {
  const attempts = [];
  const started = await flow(
    'quiz: start',
    connections,
    tokens.map((tok) => {
      const h = { authorization: `Bearer ${tok.secret}` };
      return [
        {
          method: 'POST',
          path: `/api/v1/quizzes/${quizId}/attempts`,
          headers: h,
          parse: true,
          then: (status, json) => {
            if (status < 300 && json) {
              attempts.push({ h, id: json.attemptId, questions: json.questions.slice(0, 10) });
            }
          },
        },
      ];
    }),
  );
  await drain();
  const saved = await flow(
    'quiz: save answer',
    connections,
    attempts.map((a) =>
      a.questions.map((q) => ({
        method: 'PUT',
        path: `/api/v1/attempts/${a.id}/answers`,
        headers: a.h,
        body: { questionId: q.id, response: answerFor(q) },
      })),
    ),
  );
  await drain();
  const submitted = await flow(
    'quiz: submit (grading)',
    connections,
    attempts.map((a) => [
      { method: 'POST', path: `/api/v1/attempts/${a.id}/submit`, headers: a.h },
    ]),
  );
  return [started, saved, submitted];
}

async function main() {
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  if (!flag('no-build')) {
    log('building (npx nest build)');
    execFileSync('npx', ['nest', 'build'], { cwd: root, stdio: 'inherit' });
  }
  const sqlitePath = opt('sqlite', join(dataDir, 'sqlite.db'));
  await ensureData(sqlitePath, fullArgs);
  const target = DB === 'postgres' ? process.env.DATABASE_URL : sqlitePath;
  const refKind = DB === 'postgres' ? 'postgres' : DRIVER;
  const rows = [];
  // Rows so far, rewritten as the run goes, so an interrupted run still leaves its figures behind.
  const partial = join(root, 'bench/results', `partial-${label}.json`);
  const origPush = rows.push.bind(rows);
  rows.push = (...items) => {
    const n = origPush(...items);
    writeFileSync(
      partial,
      `${JSON.stringify(
        rows.filter((r) => !r.pending),
        null,
        2,
      )}\n`,
    );
    return n;
  };
  const refs = {};

  // References first, on a quiet machine.
  log('reference: node:http hello');
  const hello = await startHello(HELLO_PORT);
  refs.hello = {};
  for (const c of LEVELS) {
    const r = await load('node:http hello (reference)', c, [{ path: '/' }], {
      url: `http://127.0.0.1:${HELLO_PORT}`,
    });
    refs.hello[c] = r.rps;
    rows.push({ ...r, ref: 'hello' });
  }
  hello.kill();
  log('reference: raw committed single-row inserts');
  refs.insertRate = await rawInsertRate(refKind, target, dataDir, QUICK ? 2 : 4);
  rows.push({
    name: `raw ${refKind} committed insert (reference)`,
    connections: 1,
    rps: refs.insertRate,
    requests: 0,
    p50: 1000 / refs.insertRate,
    p99: 0,
    errors: 0,
  });

  // Setup straight in the database (the app is not running yet): sessions, enrolments for the bench quizzes.
  const db = await openDb(DB === 'postgres' ? 'postgres' : 'sqlite', target);
  const nodes = await db.all('SELECT id, kind, name, path, depth, zone FROM org_nodes');
  const statements = await captureRegularitySql(
    root,
    DB === 'postgres' ? 'postgres' : 'sqlite',
    target,
    nodes,
  );
  refs.regularitySqlMs = await timeSql(refKind, target, statements, QUICK ? 3 : 7);
  rows.push({
    name: 'raw regularity SQL, whole city (reference)',
    connections: 1,
    rps: 1000 / refs.regularitySqlMs,
    requests: 0,
    p50: refs.regularitySqlMs,
    p99: 0,
    errors: 0,
  });

  const admin = (await db.all("SELECT id FROM users WHERE username = 'lg-admin'"))[0];
  const branches = await db.all(
    "SELECT id FROM org_nodes WHERE kind = 'branch' ORDER BY path LIMIT 200",
  );
  const storm = await db.all(
    `SELECT u.id, u.org_id FROM users u WHERE u.org_id IN (${branches.map(() => '?').join(',')}) ORDER BY u.username LIMIT 2000`,
    branches.map((b) => b.id),
  );
  const secretaries = await db.all(
    `SELECT r.user_id, r.org_id FROM role_assignments r WHERE r.role = 'secretary' AND r.org_id IN (${branches.map(() => '?').join(',')})`,
    branches.map((b) => b.id),
  );
  // Four final quizzes with the fewest attempts (the generator leaves the last two courses untouched).
  const quizzes = await db.all(
    `SELECT q.id, q.course_id, c.current_version_id AS version_id, (SELECT COUNT(*) FROM quiz_attempts a WHERE a.quiz_id = q.id) AS n
     FROM quizzes q JOIN courses c ON c.id = q.course_id WHERE q.slug LIKE '%final%' ORDER BY n, q.slug LIMIT 4`,
  );
  // Learners whose attempts on those quizzes are not used up (three allowed; bench runs repeat).
  const quizLearners = await db.all(
    `SELECT u.id FROM users u WHERE u.username LIKE 'u%' AND NOT EXISTS (SELECT 1 FROM quiz_attempts a WHERE a.user_id = u.id AND a.quiz_id IN (?,?,?,?)) ORDER BY u.username DESC LIMIT 2000`,
    quizzes.map((q) => q.id),
  );
  const now = new Date().toISOString();
  const enrolIds = new Set();
  for (const q of quizzes) {
    const rowsToInsert = quizLearners.map((u) => [
      randomUUID(),
      u.id,
      q.course_id,
      q.version_id,
      now,
    ]);
    for (let i = 0; i < rowsToInsert.length; i += 200) {
      const chunk = rowsToInsert.slice(i, i + 200);
      await db.run(
        `${db.insertIgnore} enrolments (id, user_id, course_id, version_id, enrolled_at) VALUES ${chunk.map(() => '(?,?,?,?,?)').join(',')} ${db.onConflict}`,
        chunk.flat(),
      );
    }
    enrolIds.add(q.course_id);
  }
  // Readers for the page and JSON scenarios: 300 learners with a lesson of one of their courses each.
  const readers = inRandomOrder(
    await db.all(
      `SELECT e.user_id, l.id AS lesson_id FROM enrolments e JOIN lessons l ON l.version_id = e.version_id
     WHERE e.user_id IN (SELECT id FROM users WHERE username LIKE 'u%' ORDER BY username LIMIT 300 OFFSET ?) ORDER BY e.user_id, l.position`,
      [Math.floor(Number((await db.all('SELECT COUNT(*) AS n FROM users'))[0].n) / 4)],
    ),
  );
  const stormTokens = await mintSessions(
    db,
    storm.map((u) => u.id),
    'token',
  );
  const secTokens = await mintSessions(
    db,
    secretaries.map((s) => s.user_id),
    'token',
  );
  const quizTokens = await mintSessions(
    db,
    quizLearners.map((u) => u.id),
    'token',
  );
  const readerIds = [...new Set(readers.map((r) => r.user_id))];
  const readerTokens = new Map(
    (await mintSessions(db, readerIds, 'token')).map((t) => [t.userId, t.secret]),
  );
  const readerCookies = new Map(
    (await mintSessions(db, readerIds, 'cookie')).map((t) => [
      t.userId,
      signCookie(t.secret, SECRET),
    ]),
  );
  const [adminTok] = await mintSessions(db, [admin.id], 'token');
  const codes = (
    await db.all('SELECT verify_code FROM certificates ORDER BY serial LIMIT 500')
  ).map((r) => r.verify_code);
  await db.close();

  // The app.
  const { child, readyMs } = await startApp(sqlitePath);
  process.on('exit', () => child.kill('SIGTERM'));
  log(`app ready in ${readyMs.toFixed(0)} ms`);
  const signIn = await request('POST', '/api/v1/auth/login', {
    body: { username: 'u000001', password: 'demo1234' },
  });
  if (signIn.status !== 200 && signIn.status !== 201) {
    throw new Error(`API sign-in failed: ${signIn.status} ${signIn.text.slice(0, 200)}`);
  }
  // Each reader's browser keeps the cookies the site set: the CSRF secret cookie comes from a first page, as it
  // would (without it every page would mint and sign a new secret, which no browser makes the site do).
  const jar = await cookieJars(readerIds, readerCookies);
  const pageItems = readers.map((r) => ({
    path: `/lessons/${r.lesson_id}`,
    headers: { cookie: jar.get(r.user_id) },
  }));
  const check = await request('GET', pageItems[0].path, { headers: pageItems[0].headers });
  if (check.status !== 200) {
    throw new Error(`lesson page answered ${check.status}: ${check.text.slice(0, 200)}`);
  }
  const cookieOnly = (path) => readerIds.map((id) => ({ path, headers: { cookie: jar.get(id) } }));
  const bearer = (path) =>
    readerIds.map((id) => ({ path, headers: { authorization: `Bearer ${readerTokens.get(id)}` } }));
  const scenarios = [
    ['lesson page (HTML)', () => pageItems],
    ['catalogue page', () => cookieOnly('/courses')],
    ['learner home', () => cookieOnly('/')],
    [
      'lesson JSON',
      () =>
        readers.map((r) => ({
          path: `/api/v1/lessons/${r.lesson_id}`,
          headers: { authorization: `Bearer ${readerTokens.get(r.user_id)}` },
        })),
    ],
    ['transcript', () => bearer('/api/v1/me/transcript')],
    [
      'verification page',
      // Visitors of the public page, each from their own address behind the reverse proxy: the page allows 30
      // look-ups a minute per address, and from the bench's one address nearly every request was that refusal.
      () =>
        Array.from({ length: 20_000 }, (_, i) => ({
          path: `/verify/${codes[i % codes.length]}`,
          headers: { 'x-forwarded-for': `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` },
        })),
    ],
    [
      'regularity report (city)',
      () => [
        {
          path: '/api/v1/reports/regularity',
          headers: { authorization: `Bearer ${adminTok.secret}` },
        },
      ],
    ],
  ];
  for (const c of LEVELS) {
    for (const [name, items] of scenarios) {
      if (!selected(name)) {
        continue;
      }
      if (items().length === 0) {
        log(`${name}: nothing to request in this data set, skipped`);
        continue;
      }
      await drain();
      log(`${name} @${c}`);
      // The city report is ~20 MB of JSON: 200 of them at once would be 4 GB in the driver's own buffers (it ran
      // out of heap), so the report's burst is at most 50 requests on up to 50 connections at every level.
      const report = name.startsWith('regularity');
      const r = report
        ? await load(name, Math.min(c, 50), items(), { amount: Math.min(c, 50) })
        : await load(name, c, items());
      rows.push({
        ...r,
        ref: name.startsWith('regularity') ? 'sql' : 'hello',
        rss: rssOf(child.pid),
      });
    }
  }
  // The report once on its own, for the ratio to its raw SQL: after the burst has drained (its 50 answers of
  // ~17 MB leave a heap to collect), seven times even in a quick run, since one noisy sample moves a median of 3.
  const single = [];
  if (selected('regularity')) {
    await drain();
  }
  for (let i = 0; i < (selected('regularity') ? 7 : 0); i++) {
    await timed(single, () =>
      request('GET', '/api/v1/reports/regularity', {
        headers: { authorization: `Bearer ${adminTok.secret}` },
        parse: false,
      }),
    );
  }
  single.sort((a, b) => a - b);
  if (single.length > 0) {
    log(`regularity report alone: ${single.map((ms) => Math.round(ms)).join(', ')} ms`);
  }
  refs.regularityApiMs = single[Math.floor(single.length / 2)];

  // Quiz flow: one flow per virtual learner.
  // Enough learners that each wave lasts seconds: 500 (quick) or 1,000 per level of the 2,000 prepared.
  const perLevel = QUICK ? 500 : 1000;
  let offset = 0;
  LEVELS.forEach((c, i) => {
    rows.push({
      pending: true,
      c,
      quiz: quizzes[i].id,
      tokens: quizTokens.slice(offset, offset + perLevel),
    });
    offset += perLevel;
  });
  for (const p of rows.filter((r) => r.pending && selected('quiz flow'))) {
    await drain();
    log(`quiz flow @${p.c}`);
    const r = await quizFlow(p.c, p.quiz, p.tokens);
    rows.push(...r.map((x) => ({ ...x, ref: 'hello', rss: rssOf(child.pid) })));
  }

  // Exam storm: 2,000 learners start the same quiz at once (a fresh quiz per level).
  for (const [i, c] of (selected('exam storm') ? LEVELS : []).entries()) {
    const quiz = quizzes[2 + i] ?? quizzes[i];
    const r = await flow(
      'exam storm (2,000 starts, one quiz)',
      c,
      quizTokens.slice(0, 2000).map((tok) => [
        {
          method: 'POST',
          path: `/api/v1/quizzes/${quiz.id}/attempts`,
          headers: { authorization: `Bearer ${tok.secret}` },
        },
      ]),
    );
    rows.push({
      ...r,
      ref: 'none',
      rss: rssOf(child.pid),
    });
  }

  // Check-in storm: fresh occurrences for the 200 branches, opened by their secretaries, then every member checks in.
  const secByBranch = new Map(
    secTokens.map((t) => [secretaries.find((s) => s.user_id === t.userId).org_id, t.secret]),
  );
  for (const [i, c] of (selected('check-in storm') ? LEVELS : []).entries()) {
    // Two hours from ten minutes on, but ending on the day it starts in the city's zone (a study day may not run
    // past midnight): a run late in the evening in Shanghai got 400 for every branch.
    const start = DateTime.fromMillis(Date.now() + (10 + i) * 60_000, { zone: 'Asia/Shanghai' });
    const end = DateTime.min(start.plus({ minutes: 120 }), start.endOf('day').startOf('minute'));
    const startsAt = start.toUTC().toISO();
    const endsAt = end.toUTC().toISO();
    const codeOf = new Map();
    for (const b of branches) {
      const h = { authorization: `Bearer ${secByBranch.get(b.id)}` };
      const made = await request('POST', `/api/v1/branches/${b.id}/study-days`, {
        headers: h,
        body: { topic: `压力测试 ${i}`, startsAt, endsAt, place: '会议室' },
      });
      const id = made.json?.occurrences?.[0]?.id;
      if (!id) {
        throw new Error(`scheduling failed: ${made.status} ${made.text.slice(0, 200)}`);
      }
      const code = await request('POST', `/api/v1/study-days/${id}/check-in-code`, { headers: h });
      codeOf.set(b.id, { id, code: code.json?.code, at: Date.now() });
    }
    const statuses = {};
    // The code on the screen rotates: members type the one shown now, which the screen refetches (a code stays
    // accepted for a step after it rotates, so the one in hand is good while the new one is on its way).
    const shown = (branchId) => {
      const s = codeOf.get(branchId);
      if (Date.now() - s.at > 15_000 && !s.refreshing) {
        s.refreshing = true;
        request('POST', `/api/v1/study-days/${s.id}/check-in-code`, {
          headers: { authorization: `Bearer ${secByBranch.get(branchId)}` },
        })
          .then((fresh) => {
            s.code = fresh.json?.code ?? s.code;
            s.at = Date.now();
          })
          .finally(() => {
            s.refreshing = false;
          });
      }
      return s;
    };
    const r = await flow(
      `check-in storm (${storm.length} members, ${branches.length} branches)`,
      c,
      stormTokens.map((tok, k) => {
        const s = shown(storm[k].org_id);
        return [
          {
            method: 'POST',
            path: `/api/v1/study-days/${s.id}/check-in`,
            headers: { authorization: `Bearer ${tok.secret}` },
            get body() {
              return { code: shown(storm[k].org_id).code };
            },
            then: (status) => {
              statuses[status] = (statuses[status] ?? 0) + 1;
            },
          },
        ];
      }),
    );
    const ok = (statuses[200] ?? 0) + (statuses[201] ?? 0);
    const check = await openDb(DB === 'postgres' ? 'postgres' : 'sqlite', target);
    const ids = [...codeOf.values()].map((v) => v.id);
    const stored = await check.all(
      `SELECT COUNT(*) AS n, COUNT(DISTINCT session_id || user_id) AS d FROM attendance_records WHERE session_id IN (${ids.map(() => '?').join(',')})`,
      ids,
    );
    await check.close();
    rows.push({
      ...r,
      errors: storm.length - ok,
      ref: 'insert',
      acknowledged: ok,
      stored: Number(stored[0].n),
      distinct: Number(stored[0].d),
      statuses,
      rss: rssOf(child.pid),
    });
  }
  const peak = rssOf(child.pid);
  await stopApp(child);

  const final = rows
    .filter((r) => !r.pending)
    .map((r) => {
      let ratio = null;
      if (r.ref === 'hello') {
        ratio = r.rps / refs.hello[r.connections];
      } else if (r.ref === 'insert') {
        ratio = r.rps / refs.insertRate;
      } else if (r.ref === 'sql') {
        ratio = refs.regularityApiMs / refs.regularitySqlMs;
      }
      return { ...r, ratio };
    });
  const result = {
    date: new Date().toISOString(),
    db: label,
    quick: QUICK,
    machine: {
      cpus: require('node:os').cpus().length,
      cpu: require('node:os').cpus()[0]?.model,
      node: process.version,
    },
    data: fullArgs.join(' '),
    readyMs,
    peakRssMb: peak.hwmMb,
    references: refs,
    rows: final,
  };
  // Scale check: the same pages on a tenth of the data (latency at full size must stay within 1.2x).
  if (DB !== 'postgres' && !flag('no-tenth') && !QUICK) {
    result.tenth = await tenth();
  }
  printTable(result);
  const file = join(
    root,
    'bench/results',
    `${result.date.slice(0, 10)}-${label}${QUICK ? '-quick' : ''}${ONLY ? '-only' : ''}.json`,
  );
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  log(`written ${file}`);
  require('node:fs').rmSync(partial, { force: true });
}

async function tenth() {
  const path = join(dataDir, 'sqlite-tenth.db');
  await ensureData(path, [...fullArgs, '--scale', '0.1']);
  const db = await openDb('sqlite', path);
  const readers = inRandomOrder(
    await db.all(
      `SELECT e.user_id, l.id AS lesson_id FROM enrolments e JOIN lessons l ON l.version_id = e.version_id
     WHERE e.user_id IN (SELECT id FROM users WHERE username LIKE 'u%' ORDER BY username LIMIT 300 OFFSET 500) ORDER BY e.user_id, l.position`,
    ),
  );
  const ids = [...new Set(readers.map((r) => r.user_id))];
  const tokens = new Map((await mintSessions(db, ids, 'token')).map((t) => [t.userId, t.secret]));
  const cookies = new Map(
    (await mintSessions(db, ids, 'cookie')).map((t) => [t.userId, signCookie(t.secret, SECRET)]),
  );
  await db.close();
  const { child, readyMs } = await startApp(path);
  process.on('exit', () => child.kill('SIGTERM'));
  const out = { readyMs, rows: [] };
  out.rows.push(
    await load(
      'lesson page (HTML)',
      50,
      readers.map((r) => ({
        path: `/lessons/${r.lesson_id}`,
        headers: { cookie: `sid=${encodeURIComponent(cookies.get(r.user_id))}` },
      })),
    ),
  );
  out.rows.push(
    await load(
      'transcript',
      50,
      ids.map((id) => ({
        path: '/api/v1/me/transcript',
        headers: { authorization: `Bearer ${tokens.get(id)}` },
      })),
    ),
  );
  await stopApp(child);
  return out;
}

function printTable(result) {
  const fmt = (n, d = 0) =>
    n === null || n === undefined || Number.isNaN(n) ? '' : Number(n).toFixed(d);
  const lines = [
    `Cadre Academy bench, ${result.db}, ${result.date}${result.quick ? ' (quick)' : ''}; app ready in ${fmt(result.readyMs)} ms; peak RSS ${fmt(result.peakRssMb)} MB`,
    '| scenario | conn | req/s | p50 ms | p99 ms | errors | peak RSS MB | app CPU ms/req | ratio |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of result.rows) {
    lines.push(
      `| ${r.name} | ${r.connections} | ${fmt(r.rps)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${r.errors} | ${fmt(r.rss?.hwmMb)} | ${fmt(r.cpuMsPerRequest, 2)} | ${r.ratio === null ? '' : fmt(r.ratio, 3)} |`,
    );
  }
  if (result.tenth) {
    for (const r of result.tenth.rows) {
      lines.push(
        `| ${r.name}, tenth-size data | ${r.connections} | ${fmt(r.rps)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${r.errors} | | ${fmt(r.cpuMsPerRequest, 2)} | |`,
      );
    }
  }
  console.log(lines.join('\n'));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
