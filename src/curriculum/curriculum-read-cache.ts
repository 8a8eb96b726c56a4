import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import {
  DataSource,
  EntitySubscriberInterface,
  InsertEvent,
  RemoveEvent,
  TransactionCommitEvent,
  UpdateEvent,
} from 'typeorm';
import { CourseVersionEntity } from './course-version.entity';
import { CourseEntity } from './course.entity';
import { LessonEntity } from './lesson.entity';

const WATCHED: ReadonlySet<unknown> = new Set([CourseEntity, CourseVersionEntity, LessonEntity]);

/**
 * In-process copies of what every lesson and catalogue view reads: lesson details and version outlines (published
 * versions never change) and the published course list. Any write to a course, version or lesson through TypeORM
 * empties the cache, and again when its transaction commits (so a read on another PostgreSQL connection between
 * the write and the commit cannot leave the old state behind). The time limit is a backstop for writers that go
 * around TypeORM's events (raw SQL), none of which run inside the server today.
 */
@Injectable()
export class CurriculumReadCache implements EntitySubscriberInterface {
  private readonly entries = new LRUCache<string, object>({ max: 20_000, ttl: 5 * 60_000 });
  private dirty = false;
  private readonly enabled: boolean;

  /** Without a data source: a pass-through for reads inside an uncommitted transaction (nothing is kept). */
  constructor(dataSource?: DataSource) {
    this.enabled = dataSource !== undefined;
    dataSource?.subscribers.push(this);
  }

  /** The cached value, or `load()`'s (cached unless it is null). Callers treat the result as read-only. */
  async get<T extends object>(key: string, load: () => Promise<T | null>): Promise<T | null> {
    if (!this.enabled) {
      return load();
    }
    const hit = this.entries.get(key) as T | undefined;
    if (hit) {
      return hit;
    }
    const value = await load();
    if (value !== null) {
      this.entries.set(key, value);
    }
    return value;
  }

  clear(): void {
    this.entries.clear();
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
    if (this.dirty) {
      this.dirty = false;
      this.clear();
    }
  }

  private touched(target: unknown): void {
    if (WATCHED.has(target)) {
      this.dirty = true;
      this.clear();
    }
  }
}
