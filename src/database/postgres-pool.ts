import { Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { DataSource } from 'typeorm';

/**
 * node-postgres reports a connection the server dropped (restart, `pg_terminate_backend`, network) as an `error`
 * event on its client, often twice (the server's message, then "Connection terminated unexpectedly"). TypeORM
 * listens only until the first one and then hands the client back to the pool, which discards it without a
 * listener: the second event, unheard, is thrown as an uncaught exception and takes the whole server down. Every
 * client therefore gets a listener of its own for its whole life; the query in flight fails by itself (503) and
 * the pool opens a fresh connection for the next one.
 */
export function keepPostgresClientErrorsHandled(dataSource: DataSource): void {
  const pool = (dataSource.driver as unknown as { master?: EventEmitter }).master;
  if (!pool) {
    return;
  }
  const logger = new Logger('Database');
  const handled = new WeakSet<EventEmitter>();
  const guard = (client: EventEmitter): void => {
    if (handled.has(client)) {
      return;
    }
    handled.add(client);
    let reported = false;
    client.on('error', (error: Error) => {
      if (!reported) {
        reported = true;
        logger.warn(`PostgreSQL connection lost: ${error.message}`);
      }
    });
  };
  pool.on('connect', guard);
  pool.on('acquire', guard);
}
