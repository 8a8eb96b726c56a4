import { LRUCache } from 'lru-cache';
import { SharedLoads } from '../common/shared-loads';
import {
  DataSource,
  EntitySubscriberInterface,
  InsertEvent,
  RemoveEvent,
  TransactionCommitEvent,
  TransactionRollbackEvent,
  UpdateEvent,
} from 'typeorm';

/**
 * In-process copies of rows that change rarely and are read on hot paths (published lessons, question banks).
 * Any write through TypeORM to one of the watched entities empties the cache, and again when its transaction
 * commits or rolls back: a read between the write and the commit (another PostgreSQL connection, or SQLite's
 * shared connection seeing uncommitted rows) cannot leave the old or the abandoned state behind. The time limit
 * is a backstop for writers that go around TypeORM's events (raw SQL), none of which run inside the server.
 * Callers treat what they get as read-only: it is shared.
 */
export abstract class EntityReadCache implements EntitySubscriberInterface {
  private readonly entries = new LRUCache<string, object>({ max: 20_000, ttl: 5 * 60_000 });
  private readonly loads = new SharedLoads<object | null>();
  private dirty = false;
  private readonly enabled: boolean;

  /** Without a data source: a pass-through for reads inside an uncommitted transaction (nothing is kept). */
  protected constructor(
    dataSource: DataSource | undefined,
    private readonly watched: ReadonlySet<unknown>,
  ) {
    this.enabled = dataSource !== undefined;
    dataSource?.subscribers.push(this);
  }

  /**
   * The cached value, or `load()`'s (cached unless it is null). Callers that miss the same key while its load is
   * running share that load: after a check-in storm, 2,000 certificate evaluations looked up the same few courses
   * at once and each ran its own three queries (4,068 course loads for 60 courses, measured). A load that began
   * before the cache was emptied is handed to its callers but not kept, since it may predate the write.
   */
  async get<T extends object>(key: string, load: () => Promise<T | null>): Promise<T | null> {
    if (!this.enabled) {
      return load();
    }
    const hit = this.entries.get(key) as T | undefined;
    if (hit) {
      return hit;
    }
    return this.loads.run(key, async (current) => {
      const value = await load();
      if (value !== null && current()) {
        this.entries.set(key, value);
      }
      return value;
    }) as Promise<T | null>;
  }

  clear(): void {
    this.entries.clear();
    this.loads.forgetAll();
  }

  afterInsert(event: InsertEvent<unknown>): void {
    this.touched(event.metadata.target);
  }

  afterUpdate(event: UpdateEvent<unknown>): void {
    this.touched(event.metadata.target);
  }

  afterRemove(event: RemoveEvent<unknown>): void {
    this.touched(event.metadata.target);
  }

  afterTransactionCommit(_event: TransactionCommitEvent): void {
    this.settle();
  }

  afterTransactionRollback(_event: TransactionRollbackEvent): void {
    this.settle();
  }

  private settle(): void {
    if (this.dirty) {
      this.dirty = false;
      this.clear();
    }
  }

  private touched(target: unknown): void {
    if (this.watched.has(target)) {
      this.dirty = true;
      this.clear();
    }
  }
}
