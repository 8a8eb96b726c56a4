import { DataSource } from 'typeorm';
import { expandNamed, PositionalValues } from './named-query';
import { openTempSqlite } from './temp-sqlite.fixture-spec';

/** What expandNamed answered before its SQLite texts were split once and filled in: the driver's own expansion. */
function throughDriver(ds: DataSource, sql: string, params: Record<string, unknown>) {
  const bound: Record<string, unknown> = { ...params };
  const text = sql.replace(/:(\.\.\.)?([A-Za-z0-9_.]+)/g, (whole, spread, key: string) => {
    if (spread || typeof params[key] !== 'number') {
      return whole;
    }
    bound[key] = [params[key]];
    return `:...${key}`;
  });
  return ds.driver.escapeQueryWithParameters(text, bound, {});
}

describe('expandNamed on SQLite', () => {
  let ds: DataSource;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ ds, close } = await openTempSqlite('named-'));
    await ds.query('CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER, flag INTEGER, at TEXT)');
    await ds.query(
      "INSERT INTO t VALUES ('a', 1, 1, '2026-01-01T09:30:00Z'), ('b', 2, 0, NULL), ('c', 3, 1, NULL)",
    );
  });

  afterAll(() => close());

  const cases: Array<[string, string, Record<string, unknown>]> = [
    ['a string and a number', 'SELECT id FROM t WHERE id = :id AND n = :n', { id: 'a', n: 1 }],
    ['a list', 'SELECT id FROM t WHERE id IN (:...ids) ORDER BY id', { ids: ['a', 'c'] }],
    ['a boolean', 'SELECT id FROM t WHERE flag = :flag ORDER BY id', { flag: false }],
    [
      'a name used twice',
      'SELECT id FROM t WHERE id = :id OR (id = :id AND n > :n)',
      { id: 'b', n: 0 },
    ],
    ['null', 'SELECT id FROM t WHERE at IS :at ORDER BY id', { at: null }],
    [
      'a name it was not given, and a time in a literal',
      "SELECT id FROM t WHERE id = :id AND '09:30' <> :missing",
      { id: 'a' },
    ],
    ['no parameters', 'SELECT COUNT(*) AS c FROM t', {}],
  ];

  it.each(cases)(
    'expands %s as the driver does, and the statement answers the same',
    async (_, sql, params) => {
      const expanded = expandNamed(ds.driver, sql, params);
      expect(expanded).toEqual(throughDriver(ds, sql, params));
      // A second call fills the kept template in again, with other values where there are any.
      expect(expandNamed(ds.driver, sql, params)).toEqual(expanded);
      if (!sql.includes(':missing')) {
        expect(await ds.query(...expanded)).toEqual(
          await ds.query(...throughDriver(ds, sql, params)),
        );
      }
    },
  );

  it('fills a kept text with each call’s own values and list lengths', async () => {
    const sql = 'SELECT id FROM t WHERE id IN (:...ids) AND n >= :n ORDER BY id';
    expect(await ds.query(...expandNamed(ds.driver, sql, { ids: ['a', 'b', 'c'], n: 2 }))).toEqual([
      { id: 'b' },
      { id: 'c' },
    ]);
    expect(expandNamed(ds.driver, sql, { ids: ['a'], n: 1 })).toEqual([
      'SELECT id FROM t WHERE id IN (?) AND n >= ? ORDER BY id',
      ['a', 1],
    ]);
  });

  it('leaves dates to the driver, which writes them in its own format', () => {
    const at = new Date('2026-01-01T09:30:00Z');
    const sql = 'SELECT id FROM t WHERE at < :at';
    expect(expandNamed(ds.driver, sql, { at })).toEqual(throughDriver(ds, sql, { at }));
  });

  it('numbers positional values in the order they are added', async () => {
    const bound = new PositionalValues(ds.driver);
    const sql = `SELECT id FROM t WHERE id IN (${bound.add('a')}, ${bound.add('c')}) AND n > ${bound.add(1)}`;
    expect(sql).toBe('SELECT id FROM t WHERE id IN (?, ?) AND n > ?');
    expect(await ds.query(sql, bound.values)).toEqual([{ id: 'c' }]);
  });
});
