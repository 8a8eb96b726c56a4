import { Injectable, BeforeApplicationShutdown } from '@nestjs/common';
import { TransactionService } from '../database/transaction.service';
import type { LessonDetail } from '../curriculum/curriculum.service';
import { EnrolmentEntity } from './enrolment.entity';
import { LessonProgressEntity } from './lesson-progress.entity';
import { newId } from '../common/ids';

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
        const chunk = batch.slice(i, i + CHUNK);
        // First view inserts the row; later views only move last_viewed_at (never touching completed_at).
        await m
          .createQueryBuilder()
          .insert()
          .into(LessonProgressEntity)
          .values(
            chunk.map((v) => ({
              id: newId(),
              userId: v.userId,
              lessonId: v.lesson.id,
              courseId: v.lesson.courseId,
              versionId: v.lesson.versionId,
              lessonKey: v.lesson.key,
              firstViewedAt: v.at,
              lastViewedAt: v.at,
              completedAt: null,
            })),
          )
          .orUpdate(['last_viewed_at'], ['user_id', 'lesson_id'])
          .execute();
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
        const params: Record<string, string> = {};
        const byEnrolment = (column: 'lesson' | 'at'): string =>
          `CASE id ${chunk.map((_, k) => `WHEN :e${k} THEN :${column}${k}`).join(' ')} END`;
        chunk.forEach((v, k) => {
          params[`e${k}`] = v.enrolmentId;
          params[`lesson${k}`] = v.lesson.id;
          params[`at${k}`] = v.at.toISOString();
        });
        await m
          .createQueryBuilder()
          .update(EnrolmentEntity)
          .set({
            lastLessonId: () => byEnrolment('lesson'),
            lastViewedAt: () => byEnrolment('at'),
            startedAt: () => `COALESCE(started_at, ${byEnrolment('at')})`,
          })
          .where('id IN (:...ids)', { ids: chunk.map((v) => v.enrolmentId) })
          .setParameters(params)
          .execute();
      }
    });
  }
}
