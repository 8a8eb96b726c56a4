import { QueryFailedError, QueryRunnerAlreadyReleasedError } from 'typeorm';
import { explainSqliteFailure, versionAtLeast } from './database-checks';
import { isStorageFailure } from './db-errors';

describe('database checks', () => {
  it.each([
    ['3.52.0', '3.51.3', true],
    ['3.51.3', '3.51.3', true],
    ['3.51.2', '3.51.3', false],
    ['3.9.0', '3.51.3', false],
    ['4.0', '3.51.3', true],
  ])('versionAtLeast(%s, %s) is %s', (a, b, expected) => {
    expect(versionAtLeast(a, b)).toBe(expected);
  });

  it('explains a read-only or unopenable SQLite file with its path and what to check', () => {
    const error = Object.assign(
      new Error('SQLITE_READONLY: attempt to write a readonly database'),
      {
        code: 'SQLITE_READONLY',
      },
    );
    const explained = explainSqliteFailure('/srv/cadre/academy.sqlite', error) as Error;
    expect(explained.message).toContain('/srv/cadre/academy.sqlite (SQLITE_READONLY)');
    expect(explained.message).toContain('academy.sqlite-wal');
    const other = new Error('no such table: users');
    expect(explainSqliteFailure('/srv/cadre/academy.sqlite', other)).toBe(other);
  });

  it.each([
    ['Connection terminated unexpectedly'],
    ['Client has encountered a connection error and is not queryable'],
  ])('treats a dropped PostgreSQL connection (%s) as storage unavailable', (message) => {
    expect(isStorageFailure(new QueryFailedError('SELECT 1', [], new Error(message)))).toBe(true);
  });

  it('treats the released runner of a transaction whose connection was lost as storage unavailable', () => {
    expect(isStorageFailure(new QueryRunnerAlreadyReleasedError())).toBe(true);
    expect(isStorageFailure(new Error('Cannot read properties of undefined'))).toBe(false);
  });
});
