import { Injectable, BeforeApplicationShutdown } from '@nestjs/common';
import { TransactionService } from '../database/transaction.service';
import type { LessonDetail } from '../curriculum/curriculum.service';
import { newId } from '../common/ids';
import { PositionalValues } from '../database/named-query';

interface PendingView {
  userId: string;
  enrolmentId: string;
  lesson: Pick<LessonDetail, 'id' | 'courseId' | 'versionId' | 'key'>;
  at: Date;
}

/** How long views wait to be written together. */
const FLUSH_DELAY_MS = 500;
/** Rows per multi-row upsert (SQLite allows 32,766 bound values; 9 per row). */
const CHUNK = 500;

/**
 * "Where was I" for the resume link: a lesson view is remembered in memory and written with the other views of
 * the same half second in one transaction, instead of one serialised write transaction per page view (on SQLite
 * every write waits its turn, so per-view writes capped the lesson page at ~120 views/s on the benchmark city).
 * A crash loses at most the last half second of view times, never a completion or an hour (those are written
 * at once by LessonProgressService). Readers that show the resume point call `settle()` first, so a person always
 * sees their own latest view.
 */
@Injectable()
export class LessonViewLog implements BeforeApplicationShutdown {
  private pending = new Map<string, PendingView>();
  private readonly pendingUsers = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly tx: TransactionService) {}

  note(view: PendingView): void {
    const key = `${view.userId}|${view.lesson.id}`;
    if (!this.pending.has(key)) {
      this.pendingUsers.set(view.userId, (this.pendingUsers.get(view.userId) ?? 0) + 1);
    }
    this.pending.set(key, view);
    this.timer ??= setTimeout(() => void this.flush().catch(() => undefined), FLUSH_DELAY_MS);
  }

  /** Waits until this person's noted views are written (no wait when there are none). */
  async settle(userId: string): Promise<void> {
    if (this.pendingUsers.has(userId)) {
      await this.flush();
    } else {
      await this.writing;
    }
  }

  /** Writes every noted view now; concurrent calls queue behind one another. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = [...this.pending.values()];
    this.pending = new Map();
    this.pendingUsers.clear();
    const run = this.writing.then(() => (batch.length > 0 ? this.write(batch) : undefined));
    this.writing = run.catch(() => undefined);
    return run;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.flush().catch(() => undefined);
  }

  private async write(batch: PendingView[]): Promise<void> {
    await this.tx.run(async (m) => {
      for (let i = 0; i < batch.length; i += CHUNK) {
        // First view inserts the row; later views only move last_viewed_at (never touching completed_at).
        // Written as SQL with positional values: the query builder's building of 500 rows' values was ~3% of the
        // lesson page's CPU, and their expansion from names held the event loop ~6 ms (see PositionalValues).
        const bound = new PositionalValues(m.connection.driver);
        const rows = batch.slice(i, i + CHUNK).map((v) => {
          const at = v.at.toISOString();
          const values = [
            newId(),
            v.userId,
            v.lesson.id,
            v.lesson.courseId,
            v.lesson.versionId,
            v.lesson.key,
            at,
            at,
          ];
          return `(${values.map((value) => bound.add(value)).join(', ')}, NULL)`;
        });
        await m.query(
          `INSERT INTO lesson_progress (id, user_id, lesson_id, course_id, version_id, lesson_key, first_viewed_at,
             last_viewed_at, completed_at)
           VALUES ${rows.join(', ')}
           ON CONFLICT (user_id, lesson_id) DO UPDATE SET last_viewed_at = excluded.last_viewed_at`,
          bound.values,
        );
      }
      // The latest view per enrolment becomes its resume point.
      const latest = new Map<string, PendingView>();
      for (const v of batch) {
        const seen = latest.get(v.enrolmentId);
        if (!seen || seen.at <= v.at) {
          latest.set(v.enrolmentId, v);
        }
      }
      // One UPDATE per chunk of enrolments, not one per enrolment: a flush runs while lesson pages wait for the
      // same SQLite connection, and 300 single-row UPDATEs in a row were the lesson page's slowest moments.
      const views = [...latest.values()];
      for (let i = 0; i < views.length; i += CHUNK) {
        const chunk = views.slice(i, i + CHUNK);
        const bound = new PositionalValues(m.connection.driver);
        const times = chunk.map((v) => v.at.toISOString());
        const byEnrolment = (values: string[]): string =>
          `CASE id ${chunk.map((v, k) => `WHEN ${bound.add(v.enrolmentId)} THEN ${bound.add(values[k])}`).join(' ')} END`;
        // Placeholders are numbered in the order they are added, which is their order in the text below.
        const lessonId = byEnrolment(chunk.map((v) => v.lesson.id));
        const viewedAt = byEnrolment(times);
        const startedAt = byEnrolment(times);
        const ids = chunk.map((v) => bound.add(v.enrolmentId)).join(', ');
        await m.query(
          `UPDATE enrolments SET last_lesson_id = ${lessonId}, last_viewed_at = ${viewedAt},
             started_at = COALESCE(started_at, ${startedAt})
           WHERE id IN (${ids})`,
          bound.values,
        );
      }
    });
  }
}
