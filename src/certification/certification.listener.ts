import { Injectable, Logger, BeforeApplicationShutdown } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { IssuingService } from './issuing.service';

interface PersonEvent {
  userId?: unknown;
  userIds?: unknown;
}

interface Pending {
  started: boolean;
  /** Another event arrived while the evaluation ran: evaluate once more with what it changed. */
  again: boolean;
  done: Promise<void>;
  resolve: () => void;
}

/** Evaluations running at once in the background; the rest wait their turn. */
const CONCURRENCY = 2;

/**
 * Re-evaluates a person's certificates on every event that can change what they have earned.
 *
 * The evaluation (a dozen reads of the person's courses, quizzes, hours and attendance, and perhaps an issue) runs
 * after the request that caused it has been answered, one queue for the process: a check-in storm used to wait
 * for 2,000 evaluations inline. Events for a person already waiting are merged into one evaluation; an event
 * during a running evaluation makes it run once more. Everything that shows certificates calls `settle()` first,
 * which runs the person's waiting evaluation at once, so a person always sees what they have just earned.
 */
@Injectable()
export class CertificationListener implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Certification');
  private readonly pending = new Map<string, Pending>();
  private readonly queue: string[] = [];
  private active = 0;

  constructor(private readonly issuing: IssuingService) {}

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

  /** Resolves when no evaluation is waiting or running (exports of many people's certificates). */
  async settleAll(): Promise<void> {
    while (this.pending.size > 0) {
      await Promise.all([...this.pending.keys()].map((id) => this.settle(id)));
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
    this.pending.set(userId, { started: false, again: false, done, resolve });
    this.queue.push(userId);
    this.pump();
  }

  private pump(): void {
    while (this.active < CONCURRENCY && this.queue.length > 0) {
      const userId = this.queue.shift() as string;
      this.start(userId, this.pending.get(userId) as Pending);
    }
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
