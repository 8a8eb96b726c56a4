import { ArgumentsHost, Logger } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { AllExceptionsFilter } from './all-exceptions.filter';

/**
 * SECURITY-TESTS.md 97-100 at the filter: a read-only or full disk, or a lost PostgreSQL, is a clear 503, never a
 * 500 with driver text. (The suites run as root, for whom chmod does not stop writes, so a real read-only file
 * cannot be produced honestly in a test; the driver errors are mapped here instead.)
 */
function driverFailure(code: string, message: string): QueryFailedError {
  return new QueryFailedError(
    'INSERT INTO x VALUES (?)',
    [],
    Object.assign(new Error(message), { code }),
  );
}

function run(exception: unknown): { status: number; body: Record<string, unknown> } {
  const sent: { status: number; body: Record<string, unknown> } = { status: 0, body: {} };
  const reply = {
    sent: false,
    header: () => reply,
    status: (s: number) => {
      sent.status = s;
      return reply;
    },
    send: (b: Record<string, unknown>) => {
      sent.body = b;
      return reply;
    },
  };
  const request = { url: '/api/v1/lessons/x/complete', method: 'POST', id: 'r1', headers: {} };
  const host = {
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }),
  } as unknown as ArgumentsHost;
  new AllExceptionsFilter().catch(exception, host);
  return sent;
}

describe('AllExceptionsFilter: storage failures', () => {
  beforeAll(() => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  it.each([
    ['SQLITE_READONLY', 'attempt to write a readonly database'],
    ['SQLITE_READONLY_DBMOVED', 'attempt to write a readonly database'],
    ['SQLITE_FULL', 'database or disk is full'],
    ['SQLITE_IOERR_WRITE', 'disk I/O error'],
    ['SQLITE_BUSY', 'database is locked'],
    ['53100', 'could not extend file: No space left on device'],
    ['57P01', 'terminating connection due to administrator command'],
    ['08006', 'connection failure'],
  ])('maps %s to 503 STORAGE_UNAVAILABLE without the driver text', (code, message) => {
    const res = run(driverFailure(code, message));
    expect(res.status).toBe(503);
    expect(res.body.error).toBe('STORAGE_UNAVAILABLE');
    expect(JSON.stringify(res.body)).not.toContain(message);
    expect(JSON.stringify(res.body)).not.toContain('INSERT');
  });

  it('maps a refused connection (PostgreSQL down) to 503', () => {
    const res = run(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    );
    expect(res.status).toBe(503);
    expect(res.body.error).toBe('STORAGE_UNAVAILABLE');
  });

  it('keeps other database errors a plain 500 with no SQL in the body', () => {
    const res = run(driverFailure('SQLITE_ERROR', 'no such column: secret_column'));
    expect(res.status).toBe(500);
    expect(res.body.error).toBe('INTERNAL');
    expect(JSON.stringify(res.body)).not.toMatch(/secret_column|INSERT/);
  });
});
