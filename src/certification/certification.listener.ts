import { Injectable, Logger, BeforeApplicationShutdown, Optional } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { ForegroundLoad } from '../database/foreground-load';
import { IssuingService } from './issuing.service';

interface PersonEvent {
  userId?: unknown;
  userIds?: unknown;
}

interface Pending {
  started: boolean;
  /** When the first event for this evaluation arrived (ms). */
  since: number;
  /** Another event arrived while the evaluation ran: evaluate once more with what it changed. */
  again: boolean;
  done: Promise<void>;
  resolve: () => void;
}

/** Evaluations running at once in the background; the rest wait their turn. */
const CONCURRENCY = 2;

/**
 * While requests are being answered, waiting evaluations are held back, up to this long: they would otherwise
 * take the database from the people whose requests caused them (a check-in storm ran at a third of its speed).
 * Under load that never lets up they still start, one at a time, once the oldest has waited this long.
 */
export const MAX_DEFER_MS = 10_000;

/**
 * Re-evaluates a person's certificates on every event that can change what they have earned.
 *
 * The evaluation (a dozen reads of the person's courses, quizzes, hours and attendance, and perhaps an issue) runs
 * after the request that caused it has been answered, one queue for the process: a check-in storm used to wait
 * for 2,000 evaluations inline, and while requests are in flight it waits for them (see MAX_DEFER_MS). Events for a person already waiting are merged into one evaluation; an event
 * during a running evaluation makes it run once more. Everything that shows certificates calls `settle()` first,
 * which runs the person's waiting evaluation at once, so a person always sees what they have just earned.
 */
@Injectable()
export class CertificationListener implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Certification');
  private readonly pending = new Map<string, Pending>();
  private readonly queue: string[] = [];
  private active = 0;

  private wakeScheduled = false;
  /** settleAll() calls under way: while there are any, waiting evaluations are not held back for requests. */
  private draining = 0;

  constructor(
    private readonly issuing: IssuingService,
    @Optional() private readonly load?: ForegroundLoad,
  ) {}

  @OnEvent('lesson.completed', { promisify: true })
  @OnEvent('course.completed', { promisify: true })
  @OnEvent('quiz.passed', { promisify: true })
  @OnEvent('attendance.recorded', { promisify: true })
  @OnEvent('task.signed_off', { promisify: true })
  @OnEvent('hours.credited', { promisify: true })
  onProgress(event: PersonEvent): void {
    if (typeof event?.userId === 'string') {
      this.request(event.userId);
    }
    if (Array.isArray(event?.userIds)) {
      event.userIds
        .filter((id): id is string => typeof id === 'string')
        .forEach((id) => this.request(id));
    }
  }

  /** Resolves when the person has no evaluation waiting or running; a waiting one is started at once. */
  settle(userId: string): Promise<void> {
    const entry = this.pending.get(userId);
    if (!entry) {
      return Promise.resolve();
    }
    if (!entry.started) {
      this.queue.splice(this.queue.indexOf(userId), 1);
      this.start(userId, entry);
    }
    return entry.done;
  }

  /**
   * Resolves when no evaluation is waiting or running (exports of many people's certificates, shutdown). The
   * waiting ones run CONCURRENCY at a time, held back by nothing: started all at once, the 2,000 evaluations
   * left by a check-in storm took the process from ~360 to ~740 MB and kept its thread busy for ~20 s.
   */
  async settleAll(): Promise<void> {
    this.draining++;
    try {
      while (this.pending.size > 0) {
        this.pump();
        await Promise.all([...this.pending.values()].map((entry) => entry.done));
      }
    } finally {
      this.draining--;
    }
  }

  /** Lets every waiting evaluation finish before the process ends (and before a test database is copied). */
  beforeApplicationShutdown(): Promise<void> {
    return this.settleAll();
  }

  private request(userId: string): void {
    const entry = this.pending.get(userId);
    if (entry) {
      entry.again ||= entry.started;
      return;
    }
    let resolve = (): void => undefined;
    const done = new Promise<void>((r) => {
      resolve = r;
    });
    this.pending.set(userId, { started: false, since: Date.now(), again: false, done, resolve });
    this.queue.push(userId);
    this.pump();
  }

  private pump(): void {
    while (this.active < this.allowed() && this.queue.length > 0) {
      const userId = this.queue.shift() as string;
      this.start(userId, this.pending.get(userId) as Pending);
    }
    if (this.queue.length > 0 && this.active === 0) {
      this.wakeLater();
    }
  }

  /** How many evaluations may run now: all of them when no request waits, one overdue one when they do. */
  private allowed(): number {
    if (this.draining > 0 || !this.load?.busy) {
      return CONCURRENCY;
    }
    const oldest = this.pending.get(this.queue[0] ?? '');
    return oldest && Date.now() - oldest.since >= MAX_DEFER_MS ? 1 : 0;
  }

  /** Held-back evaluations start when the requests are answered, or when the oldest becomes overdue. */
  private wakeLater(): void {
    if (this.wakeScheduled || !this.load) {
      return;
    }
    this.wakeScheduled = true;
    const wake = (): void => {
      if (this.wakeScheduled) {
        this.wakeScheduled = false;
        clearTimeout(timer);
        this.pump();
      }
    };
    const oldest = this.pending.get(this.queue[0]);
    const timer = setTimeout(wake, Math.max(0, (oldest?.since ?? 0) + MAX_DEFER_MS - Date.now()));
    timer.unref();
    this.load.onIdle(wake);
  }

  private start(userId: string, entry: Pending): void {
    entry.started = true;
    this.active++;
    void this.evaluate(userId, entry).finally(() => {
      this.active--;
      this.pending.delete(userId);
      entry.resolve();
      if (entry.again) {
        this.request(userId); // an event arrived between the last evaluation and here
      }
      this.pump();
    });
  }

  private async evaluate(userId: string, entry: Pending): Promise<void> {
    do {
      entry.again = false;
      try {
        await this.issuing.evaluateAndIssue(userId);
      } catch (error) {
        // The learner's own action has already succeeded; a failed evaluation is retried on their next event.
        this.logger.error(
          `certificate evaluation failed for ${userId}: ${error instanceof Error ? error.stack : String(error)}`,
        );
      }
    } while (entry.again);
  }
}
