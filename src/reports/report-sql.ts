import { DataSource } from 'typeorm';

/** A row of a read-model query (aliases lower-case, so both databases return the same keys). */
export type Row = Record<string, unknown>;

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

/**
 * Groups a query's rows per `key`, each row's `fields` joined by spaces and the rows by commas (in no particular
 * order), the aggregate the two databases spell differently. Read back with `unpackRows`.
 *
 * Why: the sqlite3 driver allocates every field of every row on its own in native memory before the rows reach
 * JavaScript, and a city's branch x month grid is 44,000 rows of five fields; freed among longer-lived allocations
 * those left ~20 MB the process could not give back after every city report (measured with the two statements
 * run alone under the server's malloc settings: 57 -> 78 MB of anonymous memory for 44,200 rows, 56 -> 54 for the
 * same data as 4,000 packed rows, which also ran in 300 instead of 365 ms). Fields must hold no spaces or commas
 * and never be NULL (a NULL field drops its row from the list).
 */
export function packRows(ds: DataSource, inner: string, key: string, fields: string[]): string {
  const joined = fields.map((f) => `p.${f}`).join(` || ' ' || `);
  const list = isPostgres(ds) ? `string_agg(${joined}, ',')` : `group_concat(${joined}, ',')`;
  return `SELECT p.${key} AS ${key}, ${list} AS packed FROM (${inner}) p GROUP BY p.${key}`;
}

/** The rows `packRows` packed, as the key and each row's fields (strings) in order. */
export function* unpackRows(rows: Row[], key: string): Generator<[string, string[]]> {
  for (const row of rows) {
    const id = str(row[key]);
    const packed = str(row.packed);
    if (packed === '') {
      continue;
    }
    for (const one of packed.split(',')) {
      yield [id, one.split(' ')];
    }
  }
}

/** A LIKE pattern for everything under a materialised path (paths hold ids and slashes only). */
export const under = (path: string): string => `${path.replace(/[%_\\]/g, '')}%`;
