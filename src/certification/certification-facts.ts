import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { AssessmentService } from '../assessment/assessment.service';
import { AttendanceService } from '../attendance/attendance.service';
import { CurriculumService } from '../curriculum/curriculum.service';
import { EnrolmentService } from '../learning/enrolment.service';
import { LedgerService } from '../learning/ledger.service';
import { UserEntity } from '../organizations/user.entity';
import { CertificateEntity } from './certificate.entity';
import { PeriodFacts, PersonFacts, Period } from './rule-evaluation';
import { TaskSubmissionEntity } from './task-submission.entity';

export interface PracticalLesson {
  lessonId: string;
  title: string;
  kind: string;
  courseSlug: string;
  courseTitle: string;
  trainingKind: string;
}

export interface TaskCredit {
  userId: string;
  lessonId: string;
  title: string;
  courseSlug: string;
  hours: number;
  occurredAt: Date;
}

/** What certification needs from curriculum, learning, assessment and attendance, and nothing more. */
export interface FactSources {
  completedCourses(userId: string): Promise<PersonFacts['completedCourses']>;
  passedQuizzes(userId: string): Promise<PersonFacts['passedQuizzes']>;
  hoursBetween(userId: string, from: Date, to: Date): Promise<PeriodFacts['hours']>;
  attendance(userId: string, from: Date, to: Date): Promise<PeriodFacts['attendance']>;
  practicalLesson(lessonId: string): Promise<PracticalLesson | null>;
  /** Credits a signed-off task's hours to the ledger inside the sign-off transaction. */
  creditTask(manager: EntityManager, credit: TaskCredit): Promise<void>;
}

/**
 * The one place that knows the other modules' services (certification reads curriculum, learning, assessment and
 * attendance; none of them reads certification). When one of their signatures changes, only this class changes.
 */
@Injectable()
export class CertificationFacts {
  private overrides: Partial<FactSources> = {};

  constructor(
    private readonly curriculum: CurriculumService,
    private readonly enrolments: EnrolmentService,
    private readonly ledger: LedgerService,
    private readonly assessment: AssessmentService,
    private readonly attendanceService: AttendanceService,
    @InjectRepository(TaskSubmissionEntity)
    private readonly tasks: Repository<TaskSubmissionEntity>,
    @InjectRepository(CertificateEntity)
    private readonly certificates: Repository<CertificateEntity>,
  ) {}

  /** Replaces some sources (tests, and a deployment that takes facts from elsewhere). */
  useSources(sources: Partial<FactSources>): void {
    this.overrides = { ...this.overrides, ...sources };
  }

  /**
   * Everything about a person the rules look at, except what depends on a period. `held`: the person's
   * certificates when the caller has read them already (all of them; only the valid ones count here).
   */
  async person(
    user: UserEntity,
    held?: Array<Pick<CertificateEntity, 'ruleKey' | 'status'>>,
  ): Promise<PersonFacts> {
    const [completedCourses, passedQuizzes, tasks, certificates] = await Promise.all([
      this.sources.completedCourses(user.id),
      this.sources.passedQuizzes(user.id),
      this.tasks.findBy({ userId: user.id, status: 'signed_off' }),
      held
        ? held.filter((c) => c.status === 'valid')
        : this.certificates.findBy({ userId: user.id, status: In(['valid']) }),
    ]);
    return {
      level: user.qualificationLevel,
      registrationStart: user.registrationStart,
      completedCourses,
      passedQuizzes,
      signedOffTasks: tasks.map((t) => ({
        lessonId: t.lessonId,
        courseSlug: t.courseSlug,
        signedOffAt: t.signedOffAt ?? t.submittedAt,
      })),
      certificates: certificates.map((c) => ({ ruleKey: c.ruleKey })),
    };
  }

  async period(userId: string, period: Period): Promise<PeriodFacts> {
    const [hours, attendance] = await Promise.all([
      this.sources.hoursBetween(userId, period.from, period.to),
      this.sources.attendance(userId, period.from, period.to),
    ]);
    return { hours, attendance };
  }

  get sources(): FactSources {
    return {
      completedCourses: this.overrides.completedCourses ?? ((id) => this.completedCourses(id)),
      passedQuizzes: this.overrides.passedQuizzes ?? ((id) => this.passedQuizzes(id)),
      hoursBetween:
        this.overrides.hoursBetween ?? ((id, from, to) => this.hoursBetween(id, from, to)),
      attendance: this.overrides.attendance ?? ((id, from, to) => this.attendance(id, from, to)),
      practicalLesson: this.overrides.practicalLesson ?? ((id) => this.practicalLesson(id)),
      creditTask: this.overrides.creditTask ?? ((m, c) => this.creditTask(m, c)),
    };
  }

  private async completedCourses(userId: string): Promise<PersonFacts['completedCourses']> {
    const rows = await this.enrolments.completedCourses(userId);
    return rows.map((r) => ({
      slug: r.slug,
      trainingKind: r.trainingKind,
      completedAt: r.completedAt,
    }));
  }

  private async passedQuizzes(userId: string): Promise<PersonFacts['passedQuizzes']> {
    const rows = await this.assessment.passedQuizzes(userId);
    const slugs = new Map<string, string | null>();
    for (const id of new Set(rows.map((r) => r.courseId))) {
      slugs.set(id, (await this.curriculum.findCourseById(id))?.slug ?? null);
    }
    return rows.map((r) => ({
      courseSlug: slugs.get(r.courseId) ?? null,
      scorePercent: r.scorePercent,
      passedAt: r.passedAt,
      isFinal: r.isFinal,
    }));
  }

  private async hoursBetween(userId: string, from: Date, to: Date): Promise<PeriodFacts['hours']> {
    return this.ledger.hoursBetween(userId, from, to);
  }

  private async attendance(
    userId: string,
    from: Date,
    to: Date,
  ): Promise<PeriodFacts['attendance']> {
    const rates = await this.attendanceService.rates({ userIds: [userId] }, from, to);
    return { rate: rates.attendanceRate, sessions: rates.liable };
  }

  private async practicalLesson(lessonId: string): Promise<PracticalLesson | null> {
    const lesson = await this.curriculum.findLesson(lessonId);
    return lesson
      ? {
          lessonId: lesson.id,
          title: lesson.title,
          kind: lesson.kind,
          courseSlug: lesson.courseSlug,
          courseTitle: lesson.courseTitle,
          trainingKind: lesson.trainingKind,
        }
      : null;
  }

  private async creditTask(manager: EntityManager, c: TaskCredit): Promise<void> {
    await this.ledger.credit(manager, {
      userId: c.userId,
      activityType: 'task',
      activityId: c.lessonId,
      trainingKind: 'practical',
      occurredAt: c.occurredAt,
      title: c.title,
      courseSlug: c.courseSlug,
      basis: { hours: c.hours },
    });
  }
}
