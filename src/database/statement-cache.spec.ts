import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sqlite3 from 'sqlite3';
import { DataSource } from 'typeorm';
import { withStatementCache } from './statement-cache';

type Db = import('sqlite3').Database;

const open = (file: string, mode = sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE): Promise<Db> => {
  const Database = withStatementCache(sqlite3);
  return new Promise((resolve, reject) => {
    const db: Db = new Database(file, mode, (error) => (error ? reject(error) : resolve(db)));
  });
};

const all = (db: Db, sql: string, params: unknown[] = []): Promise<unknown[]> =>
  new Promise((resolve, reject) =>
    db.all(sql, params, (error, rows) => (error ? reject(error) : resolve(rows))),
  );

const run = (
  db: Db,
  sql: string,
  params: unknown[] = [],
): Promise<{ lastID: number; changes: number }> =>
  new Promise((resolve, reject) =>
    db.run(sql, params, function (error) {
      return error ? reject(error) : resolve({ lastID: this.lastID, changes: this.changes });
    }),
  );

const close = (db: Db): Promise<void> =>
  new Promise((resolve, reject) => db.close((error) => (error ? reject(error) : resolve())));

describe('withStatementCache (sqlite3 connections keeping their prepared statements)', () => {
  let dir: string;
  let file: string;
  let db: Db;
  let prepared: string[];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'statements-'));
    file = join(dir, 'test.db');
    db = await open(file);
    await all(db, 'PRAGMA journal_mode = WAL');
    await run(db, 'CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)');
    prepared = [];
    const prepare = db.prepare.bind(db);
    db.prepare = ((sql: string, ...rest: unknown[]) => {
      prepared.push(sql);
      return (prepare as (...a: unknown[]) => unknown)(sql, ...rest);
    }) as typeof db.prepare;
  });

  afterEach(async () => {
    await close(db).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('prepares a statement once and runs it again with other parameters', async () => {
    const insert = 'INSERT INTO items (name) VALUES (?)';
    expect(await run(db, insert, ['a'])).toEqual({ lastID: 1, changes: 1 });
    expect(await run(db, insert, ['b'])).toEqual({ lastID: 2, changes: 1 });
    const byName = 'SELECT id, name FROM items WHERE name = ?';
    expect(await all(db, byName, ['a'])).toEqual([{ id: 1, name: 'a' }]);
    expect(await all(db, byName, ['b'])).toEqual([{ id: 2, name: 'b' }]);
    expect(await all(db, byName, ['none'])).toEqual([]);
    expect(prepared).toEqual([insert, byName]);
  });

  it('answers concurrent calls with the same SQL each with their own rows, on statements of their own', async () => {
    const names = Array.from({ length: 30 }, (_, i) => `n${i}`);
    await Promise.all(names.map((name) => run(db, 'INSERT INTO items (name) VALUES (?)', [name])));
    const rows = await Promise.all(
      names.map((name) => all(db, 'SELECT name FROM items WHERE name = ?', [name])),
    );
    expect(rows).toEqual(names.map((name) => [{ name }]));
    const again = prepared.length;
    await Promise.all(
      names.slice(0, 10).map((name) => all(db, 'SELECT name FROM items WHERE name = ?', [name])),
    );
    // Ten at once found ten kept statements.
    expect(prepared.length).toBe(again);
  });

  it('hands a failed statement’s error to its caller, drops that statement and goes on', async () => {
    const insert = 'INSERT INTO items (name) VALUES (?)';
    await run(db, insert, ['a']);
    await expect(run(db, insert, ['a'])).rejects.toThrow(
      /SQLITE_CONSTRAINT: UNIQUE constraint failed/,
    );
    expect(await run(db, insert, ['b'])).toEqual({ lastID: 2, changes: 1 });
    // The statement that failed was not kept: the next call prepared a new one.
    expect(prepared.filter((sql) => sql === insert)).toHaveLength(2);
    await expect(all(db, 'SELECT x FROM nowhere')).rejects.toThrow(/no such table: nowhere/);
    await expect(all(db, 'SELECT x FROM nowhere')).rejects.toThrow(/no such table: nowhere/);
  });

  it('does not hold a read snapshot between calls: a kept query sees what another connection commits', async () => {
    const count = 'SELECT COUNT(*) AS n FROM items';
    expect(await all(db, count)).toEqual([{ n: 0 }]);
    const other = await open(file);
    try {
      await run(other, 'INSERT INTO items (name) VALUES (?)', ['from-other']);
      expect(await all(db, count)).toEqual([{ n: 1 }]);
      // And the writer can checkpoint the whole log: no reader is stuck on an old snapshot.
      expect(await all(other, 'PRAGMA wal_checkpoint(TRUNCATE)')).toEqual([
        { busy: 0, log: 0, checkpointed: 0 },
      ]);
    } finally {
      await close(other);
    }
    expect(prepared.filter((sql) => sql === count)).toHaveLength(1);
  });

  it('keeps a text from its second use only: SQL with numbers written into it is often used once', async () => {
    for (let i = 0; i < 5; i++) {
      expect(await all(db, `SELECT ${i} AS n`)).toEqual([{ n: i }]);
    }
    expect(prepared).toEqual([]);
    await all(db, 'SELECT 3 AS n');
    expect(prepared).toEqual(['SELECT 3 AS n']);
  });

  it('does not keep long statements (batches of many rows)', async () => {
    const values = Array.from({ length: 700 }, (_, i) => `('long-${i}')`).join(', ');
    const batch = `INSERT INTO items (name) VALUES ${values} ON CONFLICT DO NOTHING`;
    expect(batch.length).toBeGreaterThan(8000);
    for (let i = 0; i < 3; i++) {
      expect((await run(db, batch)).changes).toBe(i === 0 ? 700 : 0);
    }
    expect(prepared).toEqual([]);
  });

  it('does not keep statements that could stop part way (RETURNING, pragmas)', async () => {
    for (const name of ['a', 'b']) {
      await run(db, 'INSERT INTO items (name) VALUES (?) RETURNING id', [name]);
      await all(db, 'PRAGMA user_version');
    }
    expect(prepared).toEqual([]);
  });

  it('sends the calls of one turn of the event loop to the driver together at its end, in the order asked', async () => {
    const sent: string[] = [];
    const Statement = sqlite3.Statement.prototype as unknown as Record<string, unknown>;
    const original = { all: Statement.all, run: Statement.run };
    for (const method of ['all', 'run'] as const) {
      Statement[method] = function (this: unknown, ...args: unknown[]) {
        sent.push(method);
        return (original[method] as (...a: unknown[]) => unknown).apply(this, args);
      };
    }
    try {
      // Each text seen once, so kept from now on (and run on a kept statement).
      await all(db, 'SELECT name FROM items');
      await run(db, 'INSERT INTO items (name) VALUES (?)', ['first']);
      sent.length = 0;
      const answers = Promise.all([
        run(db, 'INSERT INTO items (name) VALUES (?)', ['a']),
        all(db, 'SELECT name FROM items'),
        run(db, 'INSERT INTO items (name) VALUES (?)', ['b']),
      ]);
      expect(sent).toEqual([]); // asked, not sent yet
      await new Promise((resolve) => setImmediate(resolve));
      expect(sent).toEqual(['run', 'all', 'run']);
      await answers;
      expect(await all(db, 'SELECT name FROM items ORDER BY id')).toEqual([
        { name: 'first' },
        { name: 'a' },
        { name: 'b' },
      ]);
    } finally {
      Object.assign(Statement, original);
    }
  });

  it('sends the calls still waiting before it closes', async () => {
    const inserted = run(db, 'INSERT INTO items (name) VALUES (?)', ['last']);
    await close(db);
    await expect(inserted).resolves.toMatchObject({ changes: 1 });
    const again = await open(file);
    expect(await all(again, 'SELECT name FROM items')).toEqual([{ name: 'last' }]);
    await close(again);
  });

  it('closes with statements kept', async () => {
    for (const name of ['a', 'b']) {
      await all(db, 'SELECT 1 AS one');
      await run(db, 'INSERT INTO items (name) VALUES (?)', [name]);
    }
    expect(prepared).toHaveLength(2);
    await expect(close(db)).resolves.toBeUndefined();
  });

  it('serves TypeORM: inserts answer affected rows, transactions commit and roll back', async () => {
    await close(db);
    const module = Object.assign(Object.create(sqlite3) as object, {
      Database: withStatementCache(sqlite3),
    });
    const ds = new DataSource({ type: 'sqlite', database: file, driver: module });
    await ds.initialize();
    try {
      const runner = ds.createQueryRunner();
      const inserted = await runner.query(
        'INSERT INTO items (name) VALUES (?) ON CONFLICT DO NOTHING',
        ['t'],
        true,
      );
      const ignored = await runner.query(
        'INSERT INTO items (name) VALUES (?) ON CONFLICT DO NOTHING',
        ['t'],
        true,
      );
      expect([inserted.affected, ignored.affected]).toEqual([1, 0]);
      await ds.transaction(async (m) => {
        await m.query('INSERT INTO items (name) VALUES (?)', ['kept']);
      });
      await expect(
        ds.transaction(async (m) => {
          await m.query('INSERT INTO items (name) VALUES (?)', ['undone']);
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      expect(await ds.query('SELECT name FROM items ORDER BY id')).toEqual([
        { name: 't' },
        { name: 'kept' },
      ]);
      await runner.release();
    } finally {
      await ds.destroy();
    }
  });
});
