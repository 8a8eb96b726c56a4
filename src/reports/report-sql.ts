import { DataSource } from 'typeorm';
import { SqliteReaders } from '../database/sqlite-readers';

export type Row = Record<string, unknown>;

/**
 * Runs one read-model query written with `:name` / `:...list` parameters on either database: TypeORM's driver
 * turns them into `?` (SQLite) or `$n` (PostgreSQL). Aliases are lower-case so both drivers return the same keys.
 * With `readers`, a SQLite statement runs on a read-only connection of its own (see SqliteReaders).
 */
export async function query(
  ds: DataSource,
  sql: string,
  params: Record<string, unknown> = {},
  readers?: SqliteReaders,
): Promise<Row[]> {
  const [text, values] = ds.driver.escapeQueryWithParameters(sql, params, {});
  return readers ? readers.all(text, values) : ds.query<Row[]>(text, values);
}

export const num = (v: unknown): number =>
  v === null || v === undefined || v === '' ? 0 : Number(v);
export const str = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
export const isPostgres = (ds: DataSource): boolean => ds.options.type === 'postgres';

/** Whole days between two ISO date columns, the one expression the two databases spell differently. */
export function daysBetween(ds: DataSource, a: string, b: string): string {
  return isPostgres(ds)
    ? `ABS(CAST(${a} AS date) - CAST(${b} AS date))`
    : `ABS(julianday(${a}) - julianday(${b}))`;
}

/** A LIKE pattern for everything under a materialised path (paths hold ids and slashes only). */
export const under = (path: string): string => `${path.replace(/[%_\\]/g, '')}%`;
