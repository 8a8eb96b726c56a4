import { EntityManager, QueryResult } from 'typeorm';

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
  const [text, values] = m.connection.driver.escapeQueryWithParameters(sql, params, {});
  return m.query(text, values);
}

/** `namedQuery` for a write, answering how many rows it changed (inside the manager's transaction when it has one). */
export async function namedWrite(
  m: EntityManager,
  sql: string,
  params: Record<string, unknown>,
): Promise<number> {
  const [text, values] = m.connection.driver.escapeQueryWithParameters(sql, params, {});
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
