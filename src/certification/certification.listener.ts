import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { IssuingService } from './issuing.service';

interface PersonEvent {
  userId?: unknown;
  userIds?: unknown;
}

/** Re-evaluates a person's certificates on every event that can change what they have earned. */
@Injectable()
export class CertificationListener {
  private readonly logger = new Logger('Certification');

  constructor(private readonly issuing: IssuingService) {}

  @OnEvent('lesson.completed', { promisify: true })
  @OnEvent('course.completed', { promisify: true })
  @OnEvent('quiz.passed', { promisify: true })
  @OnEvent('attendance.recorded', { promisify: true })
  @OnEvent('task.signed_off', { promisify: true })
  @OnEvent('hours.credited', { promisify: true })
  async onProgress(event: PersonEvent): Promise<void> {
    const ids = new Set<string>();
    if (typeof event?.userId === 'string') {
      ids.add(event.userId);
    }
    if (Array.isArray(event?.userIds)) {
      event.userIds
        .filter((id): id is string => typeof id === 'string')
        .forEach((id) => ids.add(id));
    }
    for (const id of ids) {
      try {
        await this.issuing.evaluateAndIssue(id);
      } catch (error) {
        // The learner's own action has already succeeded; a failed evaluation is retried on their next event.
        this.logger.error(
          `certificate evaluation failed for ${id}: ${error instanceof Error ? error.stack : String(error)}`,
        );
      }
    }
  }
}
