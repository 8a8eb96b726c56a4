import { ColumnOptions, ValueTransformer } from 'typeorm';

/**
 * Instants are stored as ISO 8601 UTC text. One column type that SQLite and PostgreSQL read the same way,
 * that sorts correctly as text, and that never meets the pg driver's local-time conversion of `timestamp`.
 */
const isoTransformer: ValueTransformer = {
  to: (value: Date | string | null | undefined) =>
    value instanceof Date ? value.toISOString() : (value ?? null),
  from: (value: string | null) => (value === null || value === undefined ? value : new Date(value)),
};

export function instantColumn(options: { nullable?: boolean; name?: string } = {}): ColumnOptions {
  return { type: 'varchar', length: 24, transformer: isoTransformer, ...options };
}

/** `double precision` exists under that name in both databases; hours are multiples of 0.25, exact in binary. */
export function hoursColumn(
  options: { nullable?: boolean; name?: string; default?: number } = {},
): ColumnOptions {
  return {
    type: 'double precision',
    transformer: {
      to: (v: number) => v,
      from: (v: string | number | null) => (v === null ? v : Number(v)),
    },
    ...options,
  };
}

/** JSON kept as text so both databases store it the same way. */
export function jsonColumn<T>(options: { nullable?: boolean; name?: string } = {}): ColumnOptions {
  const transformer: ValueTransformer = {
    to: (value: T | null | undefined) =>
      value === undefined || value === null ? null : JSON.stringify(value),
    from: (value: string | null) =>
      value === null || value === undefined ? value : (JSON.parse(value) as T),
  };
  return { type: 'text', transformer, ...options };
}
