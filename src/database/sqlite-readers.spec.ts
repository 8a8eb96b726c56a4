import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { SqliteReaders } from './sqlite-readers';
import { openTempSqlite } from './temp-sqlite.fixture-spec';

describe('SqliteReaders (read-only connections beside the main one)', () => {
  let ds: DataSource;
  let close: () => Promise<void>;
  let readers: SqliteReaders;

  beforeEach(async () => {
    ({ ds, close } = await openTempSqlite('readers-'));
    await ds.query('CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)');
    readers = new SqliteReaders(ds);
  });

  afterEach(async () => {
    await readers.onApplicationShutdown();
    await close();
  });

  it('answers lookups, also concurrent ones, with what the main connection has committed', async () => {
    await ds.query("INSERT INTO items (name) VALUES ('a'), ('b')");
    const byName = 'SELECT id, name FROM items WHERE name = :name';
    expect(await readers.lookup(byName, { name: 'a' })).toEqual([{ id: 1, name: 'a' }]);
    expect(await readers.lookup(byName, { name: 'b' })).toEqual([{ id: 2, name: 'b' }]);
    await ds.query("INSERT INTO items (name) VALUES ('c')");
    expect(await readers.lookup(byName, { name: 'c' })).toEqual([{ id: 3, name: 'c' }]);
    const concurrent = await Promise.all(
      ['a', 'b', 'c', 'x'].map((name) => readers.lookup(byName, { name })),
    );
    expect(concurrent.map((rows) => rows.map((r) => r.name))).toEqual([['a'], ['b'], ['c'], []]);
  });

  it('does not see what an open transaction of the main connection has not committed', async () => {
    const runner = ds.createQueryRunner();
    await runner.startTransaction();
    await runner.query("INSERT INTO items (name) VALUES ('pending')");
    expect(await readers.lookup('SELECT name FROM items')).toEqual([]);
    await runner.commitTransaction();
    await runner.release();
    expect(await readers.lookup('SELECT name FROM items')).toEqual([{ name: 'pending' }]);
  });

  it('refuses a statement that cannot be prepared, and goes on answering', async () => {
    await expect(readers.lookup('SELECT nope FROM missing WHERE x = :x', { x: 1 })).rejects.toThrow(
      /no such table/,
    );
    await expect(readers.lookup('SELECT nope FROM missing WHERE x = :x', { x: 1 })).rejects.toThrow(
      /no such table/,
    );
    await ds.query("INSERT INTO items (name) VALUES ('after')");
    expect(await readers.lookup('SELECT name FROM items')).toEqual([{ name: 'after' }]);
    expect(await readers.query('SELECT COUNT(*) AS n FROM items')).toEqual([{ n: 1 }]);
  });

  it('expands :...list parameters', async () => {
    await ds.query("INSERT INTO items (name) VALUES ('a'), ('b'), ('c')");
    const sql = 'SELECT name FROM items WHERE name IN (:...names) ORDER BY name';
    expect(await readers.lookup(sql, { names: ['a', 'c'] })).toEqual([
      { name: 'a' },
      { name: 'c' },
    ]);
    expect(await readers.lookup(sql, { names: ['b'] })).toEqual([{ name: 'b' }]);
  });
  it("spreads statements asked for in the same moment over the lane's readers", async () => {
    await ds.query("INSERT INTO items (name) VALUES ('a'), ('b')");
    await readers.query('SELECT COUNT(*) AS n FROM items');
    const lanes = (readers as unknown as { lanes: Record<string, Array<{ db: { all: unknown } }>> })
      .lanes;
    const calls: string[] = [];
    for (const [lane, list] of Object.entries(lanes)) {
      list.forEach((reader, i) => {
        const all = reader.db.all as (...args: unknown[]) => unknown;
        reader.db.all = (...args: unknown[]) => {
          calls.push(`${lane}${i}`);
          return all.apply(reader.db, args);
        };
      });
    }
    // Two report statements (the regularity grid's two), then two lookups, each pair asked for in one tick.
    await Promise.all([
      readers.query('SELECT name FROM items'),
      readers.query('SELECT COUNT(*) AS n FROM items'),
    ]);
    await Promise.all([
      readers.lookup('SELECT name FROM items WHERE id = :id', { id: 1 }),
      readers.lookup('SELECT name FROM items WHERE id = :id', { id: 2 }),
    ]);
    expect(calls.sort()).toEqual(['lookup0', 'lookup1', 'report0', 'report1']);
  });

  it('reads through the main connection when a read-only connection cannot be opened', async () => {
    await ds.query("INSERT INTO items (name) VALUES ('kept')");
    // The same data source, but the read-only connections are pointed at a file that cannot be opened.
    const unopenable = Object.create(ds, {
      options: { value: { ...ds.options, database: join(tmpdir(), 'no-such-dir', 'x.db') } },
    }) as DataSource;
    const fallback = new SqliteReaders(unopenable);
    try {
      expect(await fallback.lookup('SELECT name FROM items')).toEqual([{ name: 'kept' }]);
      expect(await fallback.lookup('SELECT name FROM items')).toEqual([{ name: 'kept' }]);
      expect(await fallback.query('SELECT COUNT(*) AS n FROM items')).toEqual([{ n: 1 }]);
    } finally {
      await fallback.onApplicationShutdown();
    }
  });
});
