import { Driver, EntityManager, QueryResult } from 'typeorm';

/**
 * SQL with `:name` / `:...list` parameters as the driver's SQL and values. TypeORM's SQLite drivers write numbers
 * into the text itself; here they are bound like any value (as one-element lists, which it binds), so a
 * statement's text does not change with its numbers and its prepared statement is kept (see withStatementCache).
 */
export function expandNamed(
  driver: Driver,
  sql: string,
  params: Record<string, unknown>,
): [string, unknown[]] {
  if (driver.options.type === 'postgres') {
    return driver.escapeQueryWithParameters(sql, params, {});
  }
  const bound: Record<string, unknown> = { ...params };
  const text = sql.replace(
    /:(\.\.\.)?([A-Za-z0-9_.]+)/g,
    (whole, spread: string | undefined, key: string) => {
      if (spread || typeof params[key] !== 'number') {
        return whole;
      }
      bound[key] = [params[key]];
      return `:...${key}`;
    },
  );
  return driver.escapeQueryWithParameters(text, bound, {});
}

/**
 * Values bound by position, each placeholder written as it is added (`?` on SQLite, `$n` on PostgreSQL), for
 * batch statements of hundreds of rows. Written with `:name`s, such a statement's expansion (a pass over tens of
 * kilobytes of text looking up thousands of names) held the event loop ~6 ms per 500 rows of lesson views:
 * measured on the benchmark city, where each half second's flush of ~1,750 views blocked every page four times.
 */
export class PositionalValues {
  readonly values: unknown[] = [];
  private readonly dollar: boolean;

  constructor(driver: Driver) {
    this.dollar = driver.options.type === 'postgres';
  }

  /** The placeholder of the value, bound as it is (instants as ISO strings, as with `namedQuery`). */
  add(value: unknown): string {
    this.values.push(value);
    return this.dollar ? `$${this.values.length}` : '?';
  }
}

/**
 * Runs SQL written with `:name` / `:...list` parameters on the manager (inside its transaction when it has one),
 * without the query builder: for hot statements whose building cost more than running them. Pass instants as
 * ISO strings (how instant columns store them): the SQLite driver would write a Date in its own format.
 */
export function namedQuery<T = unknown>(
  m: EntityManager,
  sql: string,
  params: Record<string, unknown>,
): Promise<T> {
  const [text, values] = expandNamed(m.connection.driver, sql, params);
  return m.query(text, values);
}

/** `namedQuery` for a write, answering how many rows it changed (inside the manager's transaction when it has one). */
export async function namedWrite(
  m: EntityManager,
  sql: string,
  params: Record<string, unknown>,
): Promise<number> {
  const [text, values] = expandNamed(m.connection.driver, sql, params);
  const runner = m.queryRunner ?? m.connection.createQueryRunner();
  try {
    const result: QueryResult = await runner.query(text, values, true);
    return result.affected ?? 0;
  } finally {
    if (runner !== m.queryRunner) {
      await runner.release();
    }
  }
}
