// The references every figure is compared with, measured in the same run on the same machine.
const { spawn } = require('node:child_process');
const { rmSync } = require('node:fs');
const { join } = require('node:path');
const { readFileSync, readdirSync } = require('node:fs');

/** A bare node:http hello-world server in its own process (like the app), for autocannon. */
function startHello(port) {
  const code = `require('node:http').createServer((q, s) => { s.setHeader('content-type', 'text/plain'); s.end('hello'); }).listen(${port}, '127.0.0.1', () => process.send('ready'));`;
  const child = spawn(process.execPath, ['-e', code], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve) => child.once('message', () => resolve(child)));
}

/** Committed single-row inserts per second through the raw driver, same pragmas as the app (WAL, synchronous=FULL). */
async function rawInsertRate(kind, target, dir, seconds) {
  if (kind === 'postgres') {
    const { Client } = require('pg');
    const c = new Client({ connectionString: target });
    await c.connect();
    await c.query(
      'CREATE TABLE IF NOT EXISTS bench_ref_insert (id varchar(36) PRIMARY KEY, a varchar(36) NOT NULL, at varchar(24) NOT NULL)',
    );
    await c.query('TRUNCATE bench_ref_insert');
    let n = 0;
    const end = Date.now() + seconds * 1000;
    while (Date.now() < end) {
      await c.query('INSERT INTO bench_ref_insert (id, a, at) VALUES ($1, $2, $3)', [
        `r${n}`,
        'x',
        new Date().toISOString(),
      ]);
      n++;
    }
    await c.query('DROP TABLE bench_ref_insert');
    await c.end();
    return n / seconds;
  }
  const file = join(dir, 'ref-insert.db');
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    rmSync(f, { force: true });
  }
  if (kind === 'better-sqlite3') {
    const Database = require('better-sqlite3');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(
      'CREATE TABLE t (id varchar(36) PRIMARY KEY, a varchar(36) NOT NULL, at varchar(24) NOT NULL)',
    );
    const stmt = db.prepare('INSERT INTO t (id, a, at) VALUES (?, ?, ?)');
    let n = 0;
    const end = Date.now() + seconds * 1000;
    while (Date.now() < end) {
      stmt.run(`r${n}`, 'x', new Date().toISOString());
      n++;
    }
    db.close();
    return n / seconds;
  }
  const sqlite3 = require('sqlite3');
  const db = new sqlite3.Database(file);
  const run = (sql, p = []) =>
    new Promise((res, rej) => db.run(sql, p, (e) => (e ? rej(e) : res())));
  await run('PRAGMA journal_mode = WAL');
  await run('PRAGMA synchronous = FULL');
  await run(
    'CREATE TABLE t (id varchar(36) PRIMARY KEY, a varchar(36) NOT NULL, at varchar(24) NOT NULL)',
  );
  let n = 0;
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    await run('INSERT INTO t (id, a, at) VALUES (?, ?, ?)', [
      `r${n}`,
      'x',
      new Date().toISOString(),
    ]);
    n++;
  }
  await new Promise((r) => db.close(r));
  return n / seconds;
}

/**
 * The exact SQL the regularity report runs for the whole city: the compiled RegularityService is driven with a
 * database stand-in that records the statements instead of running them; they are then timed on the raw driver.
 */
async function captureRegularitySql(root, kind, target, nodes) {
  const { DataSource } = require('typeorm');
  const YAML = require('yaml');
  const { RegularityService } = require(join(root, 'dist/reports/regularity.service.js'));
  const real = new DataSource(
    kind === 'postgres'
      ? { type: 'postgres', url: target }
      : { type: 'sqlite', database: ':memory:' },
  );
  const captured = [];
  const fakeDs = {
    options: real.options,
    driver: real.driver,
    query: async (text, values) => {
      captured.push({ text, values });
      return [];
    },
  };
  const policies = {};
  for (const f of readdirSync(join(root, 'content/policy'))) {
    const doc = YAML.parse(readFileSync(join(root, 'content/policy', f), 'utf8'));
    policies[doc.key] = doc;
  }
  const policy = { get: async (key) => policies[key] };
  const city = nodes.find((n) => n.kind === 'city');
  const scope = { subtree: async () => nodes };
  const { SqliteReaders } = require(join(root, 'dist/database/sqlite-readers.js'));
  // The readers find no SQLite file behind the stand-in, so the statements go to it to be recorded.
  const service = new RegularityService(fakeDs, new SqliteReaders(fakeDs), policy, scope);
  await service.forNode(city, undefined, new Date());
  return captured;
}

async function timeSql(kind, target, statements, repeats) {
  const times = [];
  if (kind === 'postgres') {
    const { Client } = require('pg');
    const c = new Client({ connectionString: target });
    await c.connect();
    for (let i = 0; i < repeats; i++) {
      const t = performance.now();
      for (const s of statements) {
        await c.query(s.text, s.values);
      }
      times.push(performance.now() - t);
    }
    await c.end();
  } else if (kind === 'better-sqlite3') {
    const Database = require('better-sqlite3');
    const db = new Database(target, { readonly: true });
    for (let i = 0; i < repeats; i++) {
      const t = performance.now();
      for (const s of statements) {
        db.prepare(s.text).all(...s.values);
      }
      times.push(performance.now() - t);
    }
    db.close();
  } else {
    const sqlite3 = require('sqlite3');
    const db = new sqlite3.Database(target, sqlite3.OPEN_READONLY);
    const all = (sql, p) =>
      new Promise((res, rej) => db.all(sql, p, (e, r) => (e ? rej(e) : res(r))));
    for (let i = 0; i < repeats; i++) {
      const t = performance.now();
      for (const s of statements) {
        await all(s.text, s.values);
      }
      times.push(performance.now() - t);
    }
    await new Promise((r) => db.close(r));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

module.exports = { startHello, rawInsertRate, captureRegularitySql, timeSql };
