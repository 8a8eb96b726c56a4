import { EntityManager } from 'typeorm';

/** What assessment needs to know about a course. */
export interface CourseRef {
  id: string;
  slug: string;
  title: string;
  titleEn: string | null;
  trainingKind: string;
  hours: number;
  orgId: string | null;
}

export interface LessonRef {
  id: string;
  title: string;
  titleEn: string | null;
  courseId: string;
}

export interface QuizCredit {
  userId: string;
  quizId: string;
  trainingKind: string;
  occurredAt: Date;
  title: string;
  courseSlug: string;
}

/**
 * The curriculum and learning services seen from assessment, in one place, so a change of their signatures
 * touches one file.
 */
export abstract class CourseLinks {
  abstract course(slug: string, manager?: EntityManager): Promise<CourseRef | null>;
  abstract lesson(id: string): Promise<LessonRef | null>;
  abstract lessonByKey(
    courseSlug: string,
    key: string,
    manager?: EntityManager,
  ): Promise<LessonRef | null>;
  abstract lessonTitles(
    ids: string[],
  ): Promise<Map<string, { title: string; titleEn: string | null }>>;
  abstract isEnrolled(userId: string, courseId: string): Promise<boolean>;
  abstract ensureEnrolled(userId: string, courseId: string, manager: EntityManager): Promise<void>;
  abstract credit(manager: EntityManager, credit: QuizCredit): Promise<void>;
}
