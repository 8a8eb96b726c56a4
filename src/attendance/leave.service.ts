import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, In, IsNull, Repository } from 'typeorm';
import { Actor, canActAt, scopeRoots } from '../common/access/actor';
import { AuditService } from '../audit/audit.service';
import { isUniqueViolation } from '../database/db-errors';
import { TransactionService } from '../database/transaction.service';
import { OrgNodeEntity } from '../organizations/org-node.entity';
import { OrgTreeService } from '../organizations/org-tree.service';
import { AttendanceClock } from './attendance-clock';
import { AttendanceRecordEntity } from './attendance-record.entity';
import { AttendanceSessionEntity } from './attendance-session.entity';
import { AttendanceException } from './attendance.exception';
import { AttendanceService, MANAGERS } from './attendance.service';
import { LearningBridge } from './learning-bridge';
import { LeaveRequestEntity, LeaveState } from './leave-request.entity';
import { MakeUpEntity } from './make-up.entity';
import { newId } from '../common/ids';

export interface LeaveView {
  id: string;
  sessionId: string;
  userId: string;
  reason: string;
  state: LeaveState;
  decidedAt: string | null;
  createdAt: string;
}

export interface MakeUpView {
  id: string;
  sessionId: string;
  sessionType: string;
  sessionTitle: string;
  sessionDate: string;
  reason: string;
  dueOn: string;
  overdue: boolean;
  done: boolean;
  doneAt: string | null;
  lessons: Array<{
    id: string;
    title: string;
    titleEn: string | null;
    minutes: number;
    courseSlug: string | null;
    done: boolean;
  }>;
}

export interface OwedMakeUp {
  userId: string;
  displayName: string;
  username: string;
  sessionId: string;
  sessionTitle: string;
  dueOn: string;
  overdue: boolean;
  lessonsLeft: number;
}

/** Payload of `lesson.completed` from the learning module. */
export interface LessonCompletedEvent {
  userId: string;
  lessonId: string;
  courseId?: string;
  at?: Date | string;
}

const toLeaveView = (l: LeaveRequestEntity): LeaveView => ({
  id: l.id,
  sessionId: l.sessionId,
  userId: l.userId,
  reason: l.reason,
  state: l.state,
  decidedAt: l.decidedAt?.toISOString() ?? null,
  createdAt: l.createdAt.toISOString(),
});

/** Leave requests (asked before the start, decided by the secretary) and make-up study owed after closing. */
@Injectable()
export class LeaveService {
  constructor(
    @InjectRepository(LeaveRequestEntity) private readonly leaves: Repository<LeaveRequestEntity>,
    @InjectRepository(MakeUpEntity) private readonly makeUps: Repository<MakeUpEntity>,
    @InjectRepository(AttendanceSessionEntity)
    private readonly sessions: Repository<AttendanceSessionEntity>,
    private readonly attendance: AttendanceService,
    private readonly tree: OrgTreeService,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
    private readonly learning: LearningBridge,
    private readonly clock: AttendanceClock,
  ) {}

  async requestLeave(
    actor: Actor,
    id: unknown,
    type: AttendanceSessionEntity['sessionType'],
    reason: string,
  ): Promise<LeaveView> {
    const session = await this.attendance.findSession(id, type);
    const org = session ? await this.tree.find(session.orgId) : null;
    if (!session || !org) {
      throw new AttendanceException('SESSION_NOT_FOUND');
    }
    if (!actor.orgPath.startsWith(org.path)) {
      throw new AttendanceException('NOT_A_MEMBER');
    }
    if (session.cancelledAt) {
      throw new AttendanceException('SESSION_CANCELLED');
    }
    if (session.closedAt || this.clock.now().getTime() >= session.startsAt.getTime()) {
      throw new AttendanceException('LEAVE_TOO_LATE');
    }
    const row = Object.assign(new LeaveRequestEntity(), {
      id: newId(),
      sessionId: session.id,
      userId: actor.userId,
      reason: reason.trim(),
      state: 'pending' as const,
      decidedBy: null,
      decidedAt: null,
      decisionNote: null,
      createdAt: this.clock.now(),
    });
    try {
      await this.tx.run(async (m) => {
        if (
          await m
            .getRepository(AttendanceRecordEntity)
            .findOneBy({ sessionId: session.id, userId: actor.userId })
        ) {
          throw new AttendanceException('ALREADY_ATTENDED');
        }
        await m.getRepository(LeaveRequestEntity).insert(row);
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new AttendanceException('LEAVE_EXISTS');
      }
      throw error;
    }
    return toLeaveView(row);
  }

  /** Approve or reject: the secretary of the session's organisation (or above); decided once, until closing. */
  async decide(
    actor: Actor,
    leaveId: unknown,
    approve: boolean,
    note: string | undefined,
    ip?: string,
  ): Promise<LeaveView> {
    const leave =
      typeof leaveId === 'string' && leaveId.length <= 36
        ? await this.leaves.findOneBy({ id: leaveId })
        : null;
    const session = leave ? await this.sessions.findOneBy({ id: leave.sessionId }) : null;
    const org = session ? await this.tree.find(session.orgId) : null;
    if (!leave || !session || !org || !canActAt(actor, MANAGERS[session.sessionType], org.path)) {
      throw new AttendanceException('LEAVE_NOT_FOUND');
    }
    if (session.closedAt) {
      throw new AttendanceException('SESSION_CLOSED');
    }
    const state: LeaveState = approve ? 'approved' : 'rejected';
    const now = this.clock.now();
    const updated = await this.tx.run(async (m) => {
      const result = await m
        .getRepository(LeaveRequestEntity)
        .update(
          { id: leave.id, state: 'pending' },
          { state, decidedBy: actor.userId, decidedAt: now, decisionNote: note ?? null },
        );
      if (!result.affected) {
        throw new AttendanceException('LEAVE_DECIDED');
      }
      await this.audit.record(
        {
          action: `leave.${state}`,
          actor,
          targetType: 'leave_request',
          targetId: leave.id,
          orgId: org.id,
          ip,
          details: { sessionId: session.id, userId: leave.userId, note: note ?? null },
        },
        m,
      );
      return m.getRepository(LeaveRequestEntity).findOneByOrFail({ id: leave.id });
    });
    return toLeaveView(updated);
  }

  async leaveOf(userId: string, sessionId: string): Promise<LeaveView | null> {
    const row = await this.leaves.findOneBy({ userId, sessionId });
    return row ? toLeaveView(row) : null;
  }

  /** Make-up study the person owes (open first), with lesson titles and which lessons are done. */
  async makeUpsOf(userId: string, opts: { openOnly?: boolean } = {}): Promise<MakeUpView[]> {
    const rows = await this.makeUps.find({
      where: { userId, ...(opts.openOnly ? { doneAt: IsNull() } : {}) },
      order: { dueOn: 'ASC' },
      take: 100,
    });
    if (rows.length === 0) {
      return [];
    }
    const sessions = await this.sessions.findBy({ id: In(rows.map((r) => r.sessionId)) });
    const lessons = await this.learning.lessonSummaries([
      ...new Set(rows.flatMap((r) => r.lessonIds)),
    ]);
    const today = this.clock.now().toISOString().slice(0, 10);
    const views = rows.map((r) => {
      const s = sessions.find((x) => x.id === r.sessionId);
      return {
        id: r.id,
        sessionId: r.sessionId,
        sessionType: s?.sessionType ?? 'study_day',
        sessionTitle: s?.title ?? '',
        sessionDate: s?.localDate ?? '',
        reason: r.reason,
        dueOn: r.dueOn,
        overdue: r.doneAt === null && r.dueOn < today,
        done: r.doneAt !== null,
        doneAt: r.doneAt?.toISOString() ?? null,
        lessons: r.lessonIds.map((id) => {
          const l = lessons.find((x) => x.id === id);
          return {
            id,
            title: l?.title ?? id,
            titleEn: l?.titleEn ?? null,
            minutes: l?.minutes ?? 0,
            courseSlug: l?.courseSlug ?? null,
            done: r.doneLessonIds.includes(id),
          };
        }),
      };
    });
    return views.sort((a, b) => Number(a.done) - Number(b.done) || a.dueOn.localeCompare(b.dueOn));
  }

  /** Who in the actor's branches still owes make-up study (for the secretary's home page and roster). */
  async owedInScope(actor: Actor, limit = 50): Promise<OwedMakeUp[]> {
    const roots = scopeRoots(actor, MANAGERS.study_day);
    if (roots.length === 0) {
      return [];
    }
    const rows = await this.makeUps
      .createQueryBuilder('mu')
      .innerJoin(AttendanceSessionEntity, 's', 's.id = mu.session_id')
      .innerJoin(OrgNodeEntity, 'o', 'o.id = s.org_id')
      .where('mu.done_at IS NULL')
      .andWhere(
        new Brackets((w) =>
          roots.forEach((root, i) =>
            w.orWhere(`o.path LIKE :root${i}`, { [`root${i}`]: `${root}%` }),
          ),
        ),
      )
      .orderBy('mu.due_on', 'ASC')
      .limit(limit)
      .getMany();
    const sessions = await this.sessions.findBy({
      id: In([...new Set(rows.map((r) => r.sessionId))]),
    });
    const people = await this.attendance.peopleByIds([...new Set(rows.map((r) => r.userId))]);
    const today = this.clock.now().toISOString().slice(0, 10);
    return rows.map((r) => ({
      userId: r.userId,
      displayName: people.get(r.userId)?.displayName ?? '',
      username: people.get(r.userId)?.username ?? '',
      sessionId: r.sessionId,
      sessionTitle: sessions.find((s) => s.id === r.sessionId)?.title ?? '',
      dueOn: r.dueOn,
      overdue: r.dueOn < today,
      lessonsLeft: r.lessonIds.filter((l) => !r.doneLessonIds.includes(l)).length,
    }));
  }

  /** A completed lesson ticks it off every open make-up that lists it; the make-up is done when none is left. */
  @OnEvent('lesson.completed', { promisify: true })
  async onLessonCompleted(event: LessonCompletedEvent): Promise<void> {
    if (!event || typeof event.userId !== 'string' || typeof event.lessonId !== 'string') {
      return;
    }
    const open = (await this.makeUps.findBy({ userId: event.userId, doneAt: IsNull() })).filter(
      (r) => r.lessonIds.includes(event.lessonId),
    );
    if (open.length === 0) {
      return;
    }
    const at = event.at ? new Date(event.at) : this.clock.now();
    await this.tx.run(async (m) => {
      for (const row of open) {
        const fresh = await m.getRepository(MakeUpEntity).findOneBy({ id: row.id });
        if (!fresh || fresh.doneAt) {
          continue;
        }
        const done = [...new Set([...fresh.doneLessonIds, event.lessonId])].filter((l) =>
          fresh.lessonIds.includes(l),
        );
        await m.getRepository(MakeUpEntity).update(
          { id: fresh.id },
          {
            doneLessonIds: done,
            doneAt:
              done.length >= fresh.lessonIds.length
                ? Number.isNaN(at.getTime())
                  ? new Date()
                  : at
                : null,
          },
        );
      }
    });
  }
}
