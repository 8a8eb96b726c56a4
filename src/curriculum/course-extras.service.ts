import { Injectable, Logger } from '@nestjs/common';
import { Actor } from '../common/access/actor';

/** Adds fields to GET /api/v1/courses/:slug (the assessment module adds `quizzes`). */
export type CourseExtra = (courseId: string, actor: Actor) => Promise<Record<string, unknown>>;

/**
 * An extension point so that modules that depend on the curriculum (assessment) can enrich the course answer
 * without the curriculum depending on them.
 */
@Injectable()
export class CourseExtrasService {
  private readonly logger = new Logger('CourseExtras');
  private readonly extras: CourseExtra[] = [];

  register(extra: CourseExtra): void {
    this.extras.push(extra);
  }

  async collect(courseId: string, actor: Actor): Promise<Record<string, unknown>> {
    const parts = await Promise.all(
      this.extras.map((extra) =>
        extra(courseId, actor).catch((error: unknown) => {
          // One module's failure must not take the course page down with it.
          this.logger.error(`course extra failed: ${String(error)}`);
          return {};
        }),
      ),
    );
    return Object.assign({}, ...parts) as Record<string, unknown>;
  }
}
