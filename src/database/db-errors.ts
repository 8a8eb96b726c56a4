import { QueryFailedError } from 'typeorm';

interface DriverError {
  code?: string;
  errno?: number;
  message?: string;
}

function driverError(error: unknown): DriverError | undefined {
  if (error instanceof QueryFailedError) {
    return error.driverError as DriverError;
  }
  if (error && typeof error === 'object' && 'code' in error) {
    return error as DriverError;
  }
  return undefined;
}

/** True when a write broke a UNIQUE constraint, on either SQLite driver or PostgreSQL. */
export function isUniqueViolation(error: unknown): boolean {
  const e = driverError(error);
  if (!e) {
    return false;
  }
  return (
    e.code === '23505' ||
    e.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    (e.code === 'SQLITE_CONSTRAINT' && /UNIQUE|PRIMARY KEY/i.test(e.message ?? ''))
  );
}

/**
 * True when SQLite refused one statement for breaking a constraint (UNIQUE, NOT NULL, CHECK, FOREIGN KEY): it undoes
 * that statement alone and leaves the transaction open.
 */
export function isSqliteConstraintViolation(error: unknown): boolean {
  return /^SQLITE_CONSTRAINT/.test(driverError(error)?.code ?? '');
}

/** True when PostgreSQL refused text a client sent (a NUL byte, a character it cannot store): a 400, not a 500. */
export function isInvalidText(error: unknown): boolean {
  const code = driverError(error)?.code;
  return code === '22021' || code === '22P05';
}

/**
 * What node-postgres says, without a code, about a connection the server dropped, and what TypeORM throws at the
 * next statement of a transaction whose connection it has already handed back after such a loss.
 */
const CONNECTION_LOST =
  /^(Connection terminated|Client has encountered a connection error and is not queryable|Query runner already released)/;

/** True when the database itself is unavailable or refuses writes (disk full, read-only, connection lost). */
export function isStorageFailure(error: unknown): boolean {
  const e = driverError(error);
  const code = e?.code ?? '';
  const message = e?.message ?? (error instanceof Error ? error.message : '');
  return (
    /^SQLITE_(FULL|READONLY|IOERR|CANTOPEN|CORRUPT|BUSY|LOCKED)/.test(code) ||
    /^(53|57P|08)/.test(code) ||
    ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT'].includes(code) ||
    CONNECTION_LOST.test(message)
  );
}
