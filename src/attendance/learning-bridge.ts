import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CurriculumService } from '../curriculum/curriculum.service';
import { LedgerService } from '../learning/ledger.service';
import { LessonProgressService } from '../learning/lesson-progress.service';

export interface LessonSummary {
  id: string;
  title: string;
  titleEn: string | null;
  minutes: number;
  courseSlug: string;
}

export interface AttendanceCredit {
  userId: string;
  activityType: 'study_day' | 'session';
  activityId: string;
  trainingKind: string;
  occurredAt: Date;
  title: string;
  courseSlug?: string | null;
  basis: { minutes: number } | { hours: number };
}

/**
 * The few things attendance needs from curriculum and learning (lesson titles, completed lessons, crediting
 * study hours), in one place so the rest of the module does not depend on their shapes.
 */
@Injectable()
export class LearningBridge {
  constructor(
    private readonly curriculum: CurriculumService,
    private readonly progress: LessonProgressService,
    private readonly ledger: LedgerService,
  ) {}

  async lessonSummaries(ids: string[]): Promise<LessonSummary[]> {
    const rows = await this.curriculum.lessonSummaries(ids);
    return rows.map((l) => ({
      id: l.id,
      title: l.title,
      titleEn: l.titleEn || null,
      minutes: l.minutes,
      courseSlug: l.courseSlug,
    }));
  }

  completedLessonIds(userId: string, lessonIds: string[]): Promise<Set<string>> {
    return lessonIds.length === 0
      ? Promise.resolve(new Set())
      : this.progress.completedLessonIds(userId, lessonIds);
  }

  /** Once per person and session: the ledger's unique constraint ignores a second credit. */
  async credit(manager: EntityManager, credit: AttendanceCredit): Promise<void> {
    await this.ledger.credit(manager, credit);
  }

  async courseExists(
    slug: string,
  ): Promise<{ slug: string; title: string; trainingKind: string; hours: number } | null> {
    const course = await this.curriculum.findCourse(slug);
    return course && course.versionId
      ? {
          slug: course.slug,
          title: course.title,
          trainingKind: course.trainingKind,
          hours: course.hours,
        }
      : null;
  }

  /** Lessons of the course's current published version, in order. */
  async lessonsOfCourse(slug: string): Promise<LessonSummary[]> {
    const course = await this.curriculum.findCourse(slug);
    if (!course?.versionId) {
      return [];
    }
    const outline = await this.curriculum.outline(course.versionId);
    return (outline?.lessons ?? []).map((l) => ({
      id: l.id,
      title: l.title,
      titleEn: l.titleEn || null,
      minutes: l.minutes,
      courseSlug: l.courseSlug,
    }));
  }
}
