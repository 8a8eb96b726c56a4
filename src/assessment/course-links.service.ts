import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CourseVersionEntity } from '../curriculum/course-version.entity';
import { CourseEntity } from '../curriculum/course.entity';
import { CurriculumReadCache } from '../curriculum/curriculum-read-cache';
import { CourseSummary, CurriculumService, LessonSummary } from '../curriculum/curriculum.service';
import { LessonEntity } from '../curriculum/lesson.entity';
import { EnrolmentService } from '../learning/enrolment.service';
import { LedgerService } from '../learning/ledger.service';
import { OrgTreeService } from '../organizations/org-tree.service';
import { CourseLinks, CourseRef, LessonRef, QuizCredit } from './course-links';

const toCourse = (c: CourseSummary): CourseRef => ({
  id: c.id,
  slug: c.slug,
  title: c.title,
  titleEn: c.titleEn,
  trainingKind: c.trainingKind,
  hours: c.hours,
  orgId: c.orgId,
});

const toLesson = (l: LessonSummary): LessonRef => ({
  id: l.id,
  title: l.title,
  titleEn: l.titleEn,
  courseId: l.courseId,
});

@Injectable()
export class CurriculumCourseLinks extends CourseLinks {
  constructor(
    private readonly curriculum: CurriculumService,
    private readonly enrolment: EnrolmentService,
    private readonly ledger: LedgerService,
    private readonly tree: OrgTreeService,
  ) {
    super();
  }

  /**
   * Inside the content-import transaction the courses just imported are not committed yet; on PostgreSQL
   * another pooled connection would not see them, so the curriculum's reads run on that transaction.
   */
  private within(manager?: EntityManager): CurriculumService {
    if (!manager) {
      return this.curriculum;
    }
    return new CurriculumService(
      manager.getRepository(CourseEntity),
      manager.getRepository(CourseVersionEntity),
      manager.getRepository(LessonEntity),
      this.tree,
      new CurriculumReadCache(),
    );
  }

  async course(slug: string, manager?: EntityManager): Promise<CourseRef | null> {
    const c = await this.within(manager).findCourse(slug);
    return c ? toCourse(c) : null;
  }

  async lesson(id: string): Promise<LessonRef | null> {
    const l = await this.curriculum.findLesson(id);
    return l ? toLesson(l) : null;
  }

  async lessonByKey(
    courseSlug: string,
    key: string,
    manager?: EntityManager,
  ): Promise<LessonRef | null> {
    const l = await this.within(manager).findLessonByKey(courseSlug, key);
    return l ? toLesson(l) : null;
  }

  async lessonTitles(
    ids: string[],
  ): Promise<Map<string, { title: string; titleEn: string | null }>> {
    const rows = await this.curriculum.lessonSummaries(ids);
    return new Map(rows.map((l) => [l.id, { title: l.title, titleEn: l.titleEn }]));
  }

  isEnrolled(userId: string, courseId: string): Promise<boolean> {
    return this.enrolment.isEnrolled(userId, courseId);
  }

  ensureEnrolled(userId: string, courseId: string, manager: EntityManager): Promise<void> {
    return this.enrolment.ensureEnrolled(userId, courseId, manager);
  }

  async credit(manager: EntityManager, c: QuizCredit): Promise<void> {
    await this.ledger.credit(manager, {
      userId: c.userId,
      activityType: 'quiz',
      activityId: c.quizId,
      trainingKind: c.trainingKind,
      occurredAt: c.occurredAt,
      title: c.title,
      courseSlug: c.courseSlug,
      basis: { quizPassed: true },
    });
  }
}
