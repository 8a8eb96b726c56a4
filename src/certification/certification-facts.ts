import { Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
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

type AnyService = Record<string, ((...args: unknown[]) => Promise<unknown>) | undefined>;

const toDate = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
const str = (...vs: unknown[]): string => {
  const found = vs.find((v) => typeof v === 'string' || typeof v === 'number');
  return found === undefined ? '' : String(found as string | number);
};
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : Number(v) || 0);

/**
 * The one place that knows the other modules' services. They are looked up at run time (not imported), so the
 * dependency points one way (certification reads learning, never the reverse) and a module still being built
 * leaves its facts empty instead of breaking the build. When a signature changes, only this class changes.
 */
@Injectable()
export class CertificationFacts {
  private readonly logger = new Logger('CertificationFacts');
  private readonly resolved = new Map<string, AnyService | null>();
  private overrides: Partial<FactSources> = {};

  constructor(
    private readonly moduleRef: ModuleRef,
    @InjectRepository(TaskSubmissionEntity) private readonly tasks: Repository<TaskSubmissionEntity>,
    @InjectRepository(CertificateEntity) private readonly certificates: Repository<CertificateEntity>,
  ) {}

  /** Replaces some sources (tests, and a deployment that takes facts from elsewhere). */
  useSources(sources: Partial<FactSources>): void {
    this.overrides = { ...this.overrides, ...sources };
  }

  /** Everything about a person the rules look at, except what depends on a period. */
  async person(user: UserEntity): Promise<PersonFacts> {
    const [completedCourses, passedQuizzes, tasks, certificates] = await Promise.all([
      this.sources.completedCourses(user.id),
      this.sources.passedQuizzes(user.id),
      this.tasks.findBy({ userId: user.id, status: 'signed_off' }),
      this.certificates.findBy({ userId: user.id, status: In(['valid']) }),
    ]);
    return {
      level: user.qualificationLevel,
      registrationStart: user.registrationStart,
      completedCourses,
      passedQuizzes,
      signedOffTasks: tasks.map((t) => ({ lessonId: t.lessonId, courseSlug: t.courseSlug, signedOffAt: t.signedOffAt ?? t.submittedAt })),
      certificates: certificates.map((c) => ({ ruleKey: c.ruleKey })),
    };
  }

  async period(userId: string, period: Period): Promise<PeriodFacts> {
    const [hours, attendance] = await Promise.all([this.sources.hoursBetween(userId, period.from, period.to), this.sources.attendance(userId, period.from, period.to)]);
    return { hours, attendance };
  }

  get sources(): FactSources {
    return {
      completedCourses: this.overrides.completedCourses ?? ((id) => this.completedCourses(id)),
      passedQuizzes: this.overrides.passedQuizzes ?? ((id) => this.passedQuizzes(id)),
      hoursBetween: this.overrides.hoursBetween ?? ((id, from, to) => this.hoursBetween(id, from, to)),
      attendance: this.overrides.attendance ?? ((id, from, to) => this.attendance(id, from, to)),
      practicalLesson: this.overrides.practicalLesson ?? ((id) => this.practicalLesson(id)),
      creditTask: this.overrides.creditTask ?? ((m, c) => this.creditTask(m, c)),
    };
  }

  private async completedCourses(userId: string): Promise<PersonFacts['completedCourses']> {
    const rows = await this.call<Array<Record<string, unknown>>>('../learning/enrolment.service', 'EnrolmentService', 'completedCourses', userId);
    return (rows ?? []).map((r) => ({ slug: String(r.slug), trainingKind: String(r.trainingKind), completedAt: toDate(r.completedAt) }));
  }

  private async passedQuizzes(userId: string): Promise<PersonFacts['passedQuizzes']> {
    const rows = await this.call<Array<Record<string, unknown>>>('../assessment/assessment.service', 'AssessmentService', 'passedQuizzes', userId);
    if (!rows || rows.length === 0) {
      return [];
    }
    const slugs = await this.courseSlugsById();
    return rows.map((r) => ({
      courseSlug: typeof r.courseSlug === 'string' ? r.courseSlug : (slugs.get(String(r.courseId)) ?? null),
      scorePercent: num(r.scorePercent),
      passedAt: toDate(r.passedAt),
      isFinal: r.isFinal === true,
    }));
  }

  private async hoursBetween(userId: string, from: Date, to: Date): Promise<PeriodFacts['hours']> {
    const r = await this.call<{ total?: unknown; byKind?: Record<string, unknown> }>('../learning/ledger.service', 'LedgerService', 'hoursBetween', userId, from, to);
    const byKind = Object.fromEntries(Object.entries(r?.byKind ?? {}).map(([k, v]) => [k, num(v)]));
    return { total: num(r?.total), byKind };
  }

  private async attendance(userId: string, from: Date, to: Date): Promise<PeriodFacts['attendance']> {
    const r = await this.call<Record<string, unknown>>('../attendance/attendance.service', 'AttendanceService', 'rates', { userId, from, to });
    if (!r) {
      return { rate: null, sessions: 0 };
    }
    const rate = r.rate ?? r.attendanceRate;
    return { rate: rate === null || rate === undefined ? null : num(rate), sessions: num(r.sessions ?? r.total ?? r.expected) };
  }

  private async practicalLesson(lessonId: string): Promise<PracticalLesson | null> {
    const r = await this.call<Record<string, unknown> | null>('../curriculum/curriculum.service', 'CurriculumService', 'findLesson', lessonId);
    if (!r) {
      return null;
    }
    const course = (r.course ?? {}) as Record<string, unknown>;
    return {
      lessonId: str(r.id, lessonId),
      title: str(r.title),
      kind: str(r.kind),
      courseSlug: str(r.courseSlug, course.slug),
      courseTitle: str(r.courseTitle, course.title),
      trainingKind: str(r.trainingKind, course.trainingKind),
    };
  }

  private async creditTask(manager: EntityManager, c: TaskCredit): Promise<void> {
    const ledger = this.service('../learning/ledger.service', 'LedgerService');
    if (!ledger?.credit) {
      this.logger.warn('LedgerService is not available; task hours were not credited');
      return;
    }
    await ledger.credit(manager, {
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

  private async courseSlugsById(): Promise<Map<string, string>> {
    const courses = await this.call<Array<Record<string, unknown>>>('../curriculum/curriculum.service', 'CurriculumService', 'listPublished');
    return new Map((courses ?? []).map((c) => [String(c.id), String(c.slug)]));
  }

  private async call<T>(file: string, exportName: string, method: string, ...args: unknown[]): Promise<T | null> {
    const fn = this.service(file, exportName)?.[method];
    return fn ? ((await fn(...args)) as T) : null;
  }

  private service(file: string, exportName: string): AnyService | null {
    if (!this.resolved.has(exportName)) {
      let instance: AnyService | null = null;
      try {
        // Looked up by file at run time on purpose: see the class comment.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const cls = (require(file) as Record<string, unknown>)[exportName];
        if (typeof cls === 'function') {
          const found = this.moduleRef.get<unknown>(cls, { strict: false }) as Record<string, unknown>;
          instance = Object.fromEntries(
            Object.getOwnPropertyNames(Object.getPrototypeOf(found)).filter((k) => typeof found[k] === 'function').map((k) => [k, (found[k] as (...a: unknown[]) => Promise<unknown>).bind(found)]),
          );
        }
      } catch {
        instance = null;
      }
      this.resolved.set(exportName, instance);
    }
    return this.resolved.get(exportName) ?? null;
  }
}
