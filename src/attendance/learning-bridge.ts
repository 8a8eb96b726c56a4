import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

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
  basis: { minutes: number } | { hours: number };
}

/**
 * The few things attendance needs from curriculum and learning (lesson titles, completed lessons, crediting
 * study hours), in one place so the rest of the module does not depend on their shapes.
 */
@Injectable()
export class LearningBridge {
  async lessonSummaries(ids: string[]): Promise<LessonSummary[]> {
    await Promise.resolve();
    return ids.length === 0 ? [] : [];
  }

  async completedLessonIds(_userId: string, _lessonIds: string[]): Promise<Set<string>> {
    await Promise.resolve();
    return new Set();
  }

  async credit(_manager: EntityManager, _credit: AttendanceCredit): Promise<void> {
    await Promise.resolve();
  }

  async courseExists(_slug: string): Promise<{ slug: string; title: string; trainingKind: string; hours: number } | null> {
    await Promise.resolve();
    return null;
  }

  async lessonsOfCourse(_slug: string): Promise<LessonSummary[]> {
    await Promise.resolve();
    return [];
  }
}
