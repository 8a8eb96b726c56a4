import { TableColumnOptions } from 'typeorm';

/** Column shapes shared by every migration, so one set builds the same schema on SQLite and PostgreSQL. */
export const col = {
  id: (name = 'id'): TableColumnOptions => ({
    name,
    type: 'varchar',
    length: '36',
    isPrimary: true,
  }),
  ref: (name: string, nullable = false): TableColumnOptions => ({
    name,
    type: 'varchar',
    length: '36',
    isNullable: nullable,
  }),
  text: (name: string, nullable = false): TableColumnOptions => ({
    name,
    type: 'text',
    isNullable: nullable,
  }),
  varchar: (name: string, length: number, nullable = false, def?: string): TableColumnOptions => ({
    name,
    type: 'varchar',
    length: String(length),
    isNullable: nullable,
    ...(def !== undefined ? { default: `'${def}'` } : {}),
  }),
  int: (name: string, nullable = false, def?: number): TableColumnOptions => ({
    name,
    type: 'integer',
    isNullable: nullable,
    ...(def !== undefined ? { default: String(def) } : {}),
  }),
  bool: (name: string, def: boolean): TableColumnOptions => ({
    name,
    type: 'boolean',
    default: def ? 'true' : 'false',
  }),
  hours: (name: string, nullable = false): TableColumnOptions => ({
    name,
    type: 'double precision',
    isNullable: nullable,
  }),
  instant: (name: string, nullable = false): TableColumnOptions => ({
    name,
    type: 'varchar',
    length: '24',
    isNullable: nullable,
  }),
  json: (name: string, nullable = true): TableColumnOptions => ({
    name,
    type: 'text',
    isNullable: nullable,
  }),
};
