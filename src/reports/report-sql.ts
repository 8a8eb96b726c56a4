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

/** A LIKE pattern for everything under a materialised path (paths hold ids and slashes only). */
export const under = (path: string): string => `${path.replace(/[%_\\]/g, '')}%`;
