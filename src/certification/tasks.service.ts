import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, Repository } from 'typeorm';
import { Actor, Role, scopeRoots } from '../common/access/actor';
import { AuditService } from '../audit/audit.service';
import { isUniqueViolation } from '../database/db-errors';
import { TransactionService } from '../database/transaction.service';
import { OrgNodeEntity } from '../organizations/org-node.entity';
import { UsersService } from '../organizations/users.service';
import { PolicyService } from '../policy/policy.service';
import { CertificationFacts, PracticalLesson } from './certification-facts';
import { CertificationException } from './certification.exception';
import { CertificationRulesPolicy } from './certification.policy';
import { TaskSubmissionEntity } from './task-submission.entity';
import { newId } from '../common/ids';

/** Emitted after a mentor's sign-off is committed: `{ userId, lessonId, courseSlug, hours, mentorId }`. */
export const TASK_SIGNED_OFF = 'task.signed_off';

const MENTORS: readonly Role[] = ['trainer', 'secretary'];

export interface TaskView {
  id: string;
  lessonId: string;
  lessonTitle: string;
  courseSlug: string;
  userId: string;
  learnerName: string;
  note: string | null;
  submittedAt: string;
  status: string;
  mentorNote: string | null;
  signedOffAt: string | null;
  hours: number | null;
}

/** Practical tasks (lessons of kind practical_task): the learner submits, a mentor in scope signs off. */
@Injectable()
export class TasksService {
  constructor(
    @InjectRepository(TaskSubmissionEntity)
    private readonly submissions: Repository<TaskSubmissionEntity>,
    private readonly tx: TransactionService,
    private readonly users: UsersService,
    private readonly facts: CertificationFacts,
    private readonly policy: PolicyService,
    private readonly audit: AuditService,
    private readonly events: EventEmitter2,
  ) {}

  async submit(actor: Actor, lessonId: string, note: string): Promise<TaskView> {
    const lesson = await this.task(lessonId);
    const saved = await this.tx.run(async (m) => {
      const repo = m.getRepository(TaskSubmissionEntity);
      const existing = await repo.findOneBy({ userId: actor.userId, lessonId: lesson.lessonId });
      if (existing?.status === 'signed_off') {
        throw new CertificationException('TASK_ALREADY_SIGNED_OFF');
      }
      if (existing) {
        await repo.update({ id: existing.id }, { note: note.trim(), submittedAt: new Date() });
        return repo.findOneByOrFail({ id: existing.id });
      }
      const row = repo.create({
        id: newId(),
        userId: actor.userId,
        lessonId: lesson.lessonId,
        courseSlug: lesson.courseSlug,
        lessonTitle: lesson.title.slice(0, 200),
        note: note.trim(),
        submittedAt: new Date(),
        status: 'submitted',
        mentorId: null,
        mentorNote: null,
        signedOffAt: null,
        hours: null,
      });
      await repo.insert(row);
      return row;
    });
    return this.view(saved, actor.displayName);
  }

  /** Signs a learner's task off (with or without a prior submission), credits its hours and emits task.signed_off. */
  async signOff(
    actor: Actor,
    lessonId: string,
    learnerId: string,
    note: string,
    ip?: string,
  ): Promise<TaskView> {
    const learner = await this.users.findInScope(actor, learnerId, MENTORS);
    if (learner.id === actor.userId) {
      throw new CertificationException('TASK_SELF_SIGN_OFF');
    }
    const lesson = await this.task(lessonId);
    const { practicalTasks } =
      await this.policy.get<CertificationRulesPolicy>('certification-rules');
    const now = new Date();
    let saved: TaskSubmissionEntity;
    try {
      saved = await this.tx.run(async (m) => {
        const repo = m.getRepository(TaskSubmissionEntity);
        const existing = await repo.findOneBy({ userId: learner.id, lessonId: lesson.lessonId });
        if (existing?.status === 'signed_off') {
          throw new CertificationException('TASK_ALREADY_SIGNED_OFF');
        }
        const fields = {
          status: 'signed_off' as const,
          mentorId: actor.userId,
          mentorNote: note.trim(),
          signedOffAt: now,
          hours: practicalTasks.hoursPerTask,
        };
        let id = existing?.id;
        if (existing) {
          // The status in the WHERE keeps two mentors' simultaneous sign-offs from both counting.
          const result = await repo.update({ id: existing.id, status: 'submitted' }, fields);
          if (!result.affected) {
            throw new CertificationException('TASK_ALREADY_SIGNED_OFF');
          }
        } else {
          id = newId();
          await repo.insert({
            id,
            userId: learner.id,
            lessonId: lesson.lessonId,
            courseSlug: lesson.courseSlug,
            lessonTitle: lesson.title.slice(0, 200),
            note: null,
            submittedAt: now,
            ...fields,
          });
        }
        await this.facts.sources.creditTask(m, {
          userId: learner.id,
          lessonId: lesson.lessonId,
          title: lesson.title,
          courseSlug: lesson.courseSlug,
          hours: practicalTasks.hoursPerTask,
          occurredAt: now,
        });
        await this.audit.record(
          {
            action: 'task.sign_off',
            actor,
            targetType: 'lesson',
            targetId: lesson.lessonId,
            orgId: learner.orgId,
            ip,
            details: { learner: learner.id, hours: practicalTasks.hoursPerTask, note: note.trim() },
          },
          m,
        );
        return repo.findOneByOrFail({ id });
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new CertificationException('TASK_ALREADY_SIGNED_OFF');
      }
      throw error;
    }
    await this.events.emitAsync(TASK_SIGNED_OFF, {
      userId: learner.id,
      lessonId: lesson.lessonId,
      courseSlug: lesson.courseSlug,
      hours: saved.hours,
      mentorId: actor.userId,
    });
    return this.view(saved, learner.displayName);
  }

  /** Submissions waiting for a sign-off from people in the mentor's subtrees, oldest first. */
  async pending(actor: Actor): Promise<{ items: TaskView[] }> {
    const roots = scopeRoots(actor, MENTORS);
    if (roots.length === 0) {
      return { items: [] };
    }
    const rows = await this.submissions
      .createQueryBuilder('s')
      .innerJoin('users', 'u', 'u.id = s.user_id')
      .innerJoin(OrgNodeEntity, 'o', 'o.id = u.org_id')
      .addSelect('u.display_name', 'learner_name')
      .where("s.status = 'submitted'")
      .andWhere(
        new Brackets((w) =>
          roots.forEach((root, i) =>
            w.orWhere(`o.path LIKE :root${i}`, { [`root${i}`]: `${root}%` }),
          ),
        ),
      )
      .orderBy('s.submitted_at', 'ASC')
      .limit(200)
      .getRawAndEntities();
    return { items: rows.entities.map((s, i) => this.view(s, learnerName(rows.raw[i]))) };
  }

  /** The learner's own submissions. */
  async mine(actor: Actor): Promise<{ items: TaskView[] }> {
    const rows = await this.submissions.find({
      where: { userId: actor.userId },
      order: { submittedAt: 'DESC' },
    });
    return { items: rows.map((s) => this.view(s, actor.displayName)) };
  }

  private async task(lessonId: string): Promise<PracticalLesson> {
    const lesson =
      typeof lessonId === 'string' && lessonId.length <= 36
        ? await this.facts.sources.practicalLesson(lessonId)
        : null;
    if (!lesson || lesson.kind !== 'practical_task') {
      throw new CertificationException('TASK_NOT_FOUND');
    }
    return lesson;
  }

  private view(s: TaskSubmissionEntity, learnerName: string): TaskView {
    return {
      id: s.id,
      lessonId: s.lessonId,
      lessonTitle: s.lessonTitle,
      courseSlug: s.courseSlug,
      userId: s.userId,
      learnerName,
      note: s.note,
      submittedAt: s.submittedAt.toISOString(),
      status: s.status,
      mentorNote: s.mentorNote,
      signedOffAt: s.signedOffAt ? s.signedOffAt.toISOString() : null,
      hours: s.hours,
    };
  }
}

function learnerName(raw: unknown): string {
  const name = (raw as Record<string, unknown> | undefined)?.learner_name;
  return typeof name === 'string' ? name : '';
}
