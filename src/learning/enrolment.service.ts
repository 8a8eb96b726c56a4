import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { Actor } from '../common/access/actor';
import { namedQuery } from '../database/named-query';
import { SqliteReaders } from '../database/sqlite-readers';
import { TransactionService } from '../database/transaction.service';
import { CurriculumService } from '../curriculum/curriculum.service';
import { OrgTreeService } from '../organizations/org-tree.service';
import { UsersService } from '../organizations/users.service';
import { EnrolDto } from './dto/learning.dto';
import { EnrolmentEntity } from './enrolment.entity';
import { LessonViewLog } from './lesson-view-log';
import { LearningException } from './learning.exception';
import { newId } from '../common/ids';

export interface EnrolmentView {
  id: string;
  userId: string;
  courseId: string;
  courseSlug: string;
  versionId: string;
  assignedBy: string | null;
  dueDate: string | null;
  enrolledAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
}

const toView = (e: EnrolmentEntity, slug: string): EnrolmentView => ({
  id: e.id,
  userId: e.userId,
  courseId: e.courseId,
  courseSlug: slug,
  versionId: e.versionId,
  assignedBy: e.assignedBy,
  dueDate: e.dueDate,
  enrolledAt: e.enrolledAt,
  startedAt: e.startedAt,
  completedAt: e.completedAt,
});

/** Who studies which course, in which version, assigned by whom and due when. */
@Injectable()
export class EnrolmentService {
  constructor(
    @InjectRepository(EnrolmentEntity) private readonly enrolments: Repository<EnrolmentEntity>,
    private readonly tx: TransactionService,
    private readonly curriculum: CurriculumService,
    private readonly users: UsersService,
    private readonly tree: OrgTreeService,
    private readonly views: LessonViewLog,
    private readonly readers: SqliteReaders,
  ) {}

  async isEnrolled(userId: string, courseId: string): Promise<boolean> {
    if (!userId || !courseId) {
      return false;
    }
    // A lookup connection: an exam start asks this of 2,000 people at once, beside their writes.
    const found = await this.readers.lookup(
      'SELECT 1 AS yes FROM enrolments WHERE user_id = :userId AND course_id = :courseId LIMIT 1',
      { userId, courseId },
    );
    return found.length > 0;
  }

  async find(
    userId: string,
    courseId: string,
    manager?: EntityManager,
  ): Promise<EnrolmentEntity | null> {
    const repo = manager ? manager.getRepository(EnrolmentEntity) : this.enrolments;
    return repo.findOneBy({ userId, courseId });
  }

  /** Enrols in the current published version unless already enrolled (make-up study, study-day lessons use this). */
  async ensureEnrolled(userId: string, courseId: string, manager?: EntityManager): Promise<void> {
    const course = await this.curriculum.findCourseById(courseId);
    if (!course?.versionId) {
      throw new LearningException('COURSE_NOT_OPEN');
    }
    const versionId = course.versionId;
    const work = (m: EntityManager) =>
      this.insert(m, { userId, courseId, versionId, assignedBy: null, dueDate: null });
    await (manager ? work(manager) : this.tx.run(work));
  }

  /** Self-enrolment, or a secretary/administrator assigning someone of their subtree with a due date. */
  async enrol(actor: Actor, slug: string, dto: EnrolDto): Promise<EnrolmentView> {
    const access = await this.curriculum.requireVisible(actor, slug);
    const course = access.course;
    if (course.status !== 'published' || !course.versionId) {
      throw new LearningException('COURSE_NOT_OPEN');
    }
    const versionId = course.versionId;
    const forOther = dto.userId !== undefined && dto.userId !== actor.userId;
    if (dto.dueDate && Number.isNaN(Date.parse(`${dto.dueDate}T00:00:00Z`))) {
      throw new LearningException('DUE_DATE_INVALID', {}, 'dueDate');
    }
    let userId = actor.userId;
    if (forOther) {
      const person = await this.users.findInScope(actor, dto.userId, ['secretary', 'admin']);
      const org = await this.tree.get(person.orgId);
      if (!(await this.curriculum.visibleToOrg(course.id, org.path))) {
        throw new LearningException('ENROL_OUT_OF_SCOPE');
      }
      userId = person.id;
    }
    return this.tx.run(async (m) => {
      const row = await this.insert(m, {
        userId,
        courseId: course.id,
        versionId,
        assignedBy: forOther ? actor.userId : null,
        dueDate: dto.dueDate ?? null,
      });
      if (forOther && (row.assignedBy !== actor.userId || row.dueDate !== (dto.dueDate ?? null))) {
        // Re-assigning an existing enrolment updates the assignment, never the progress.
        row.assignedBy = actor.userId;
        row.dueDate = dto.dueDate ?? row.dueDate;
        await m
          .getRepository(EnrolmentEntity)
          .update({ id: row.id }, { assignedBy: row.assignedBy, dueDate: row.dueDate });
      }
      return toView(row, course.slug);
    });
  }

  /** The courses the person has completed, first completed first (certification's facts; read as two columns). */
  async completedCourses(
    userId: string,
  ): Promise<Array<{ courseId: string; slug: string; trainingKind: string; completedAt: Date }>> {
    const rows = await namedQuery<Array<{ course_id: string; completed_at: string }>>(
      this.enrolments.manager,
      `SELECT course_id, completed_at FROM enrolments
       WHERE user_id = :userId AND completed_at IS NOT NULL ORDER BY completed_at ASC`,
      { userId },
    );
    const out: Array<{ courseId: string; slug: string; trainingKind: string; completedAt: Date }> =
      [];
    for (const row of rows) {
      const course = await this.curriculum.findCourseById(row.course_id);
      if (course) {
        out.push({
          courseId: row.course_id,
          slug: course.slug,
          trainingKind: course.trainingKind,
          completedAt: new Date(row.completed_at),
        });
      }
    }
    return out;
  }

  /** All of a person's enrolments (home page, transcript, catalogue marks). */
  async listFor(userId: string): Promise<EnrolmentEntity[]> {
    await this.views.settle(userId); // the resume points include the person's latest views
    return this.enrolments.find({ where: { userId }, order: { enrolledAt: 'DESC' } });
  }

  /**
   * Where the person stands in each of the courses (a catalogue card's badge): enrolled, completed and due when.
   * One lookup of the person's own enrolments, written as SQL: a catalogue page asked for 60 courses through the
   * query builder and mapped whole entities, ~9% of the page's CPU.
   */
  async standingIn(
    userId: string,
    courseIds: string[],
  ): Promise<Map<string, { completed: boolean; dueDate: string | null }>> {
    const wanted = new Set(courseIds);
    const standing = new Map<string, { completed: boolean; dueDate: string | null }>();
    if (wanted.size === 0) {
      return standing;
    }
    const rows = (await this.readers.lookup(
      'SELECT course_id, completed_at, due_date FROM enrolments WHERE user_id = :userId',
      { userId },
    )) as Array<{ course_id: string; completed_at: string | null; due_date: string | null }>;
    for (const row of rows) {
      if (wanted.has(row.course_id)) {
        standing.set(row.course_id, {
          completed: row.completed_at !== null,
          dueDate: row.due_date,
        });
      }
    }
    return standing;
  }

  /** Inside the caller's transaction (demo data, other modules' assignments). */
  async enrolIn(
    m: EntityManager,
    e: {
      userId: string;
      courseId: string;
      versionId: string;
      assignedBy: string | null;
      dueDate: string | null;
    },
  ): Promise<EnrolmentEntity> {
    return this.insert(m, e);
  }

  /** Inserts unless the (user, course) pair exists; the unique constraint settles races. Returns the row. */
  private async insert(
    m: EntityManager,
    e: {
      userId: string;
      courseId: string;
      versionId: string;
      assignedBy: string | null;
      dueDate: string | null;
    },
  ): Promise<EnrolmentEntity> {
    await m
      .createQueryBuilder()
      .insert()
      .into(EnrolmentEntity)
      .values({
        id: newId(),
        ...e,
        enrolledAt: new Date(),
        startedAt: null,
        completedAt: null,
        lastLessonId: null,
        lastViewedAt: null,
      })
      .orIgnore()
      .execute();
    return m
      .getRepository(EnrolmentEntity)
      .findOneByOrFail({ userId: e.userId, courseId: e.courseId });
  }
}
