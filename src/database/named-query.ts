import { EntityManager } from 'typeorm';

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
