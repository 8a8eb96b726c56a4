import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/**
 * The one place write transactions start. TypeORM shares a single connection on SQLite, so two requests'
 * transactions would interleave on it ("cannot start a transaction within a transaction", or one rollback
 * taking another request's writes with it). On SQLite they therefore run one after another through this queue;
 * PostgreSQL gets a pooled connection per transaction and needs no queue.
 */
@Injectable()
export class TransactionService {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly serialise: boolean;

  constructor(private readonly dataSource: DataSource) {
    this.serialise = dataSource.options.type !== 'postgres';
  }

  get isPostgres(): boolean {
    return !this.serialise;
  }

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.serialise) {
      return this.dataSource.transaction(work);
    }
    const result = this.tail.then(() => this.dataSource.transaction(work));
    this.tail = result.catch(() => undefined);
    return result;
  }
}
