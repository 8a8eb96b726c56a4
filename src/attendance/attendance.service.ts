import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { DateTime } from 'luxon';
import { Brackets, EntityManager, In, IsNull, LessThanOrEqual, Repository } from 'typeorm';
import { Actor, canActAt, Role, scopeRoots } from '../common/access/actor';
import { CommonException } from '../common/errors/app.exception';
import { TransactionService } from '../database/transaction.service';
import { OrgNodeEntity } from '../organizations/org-node.entity';
import { OrgTreeService } from '../organizations/org-tree.service';
import { PolicyService } from '../policy/policy.service';
import { AttendanceClock } from './attendance-clock';
import { AttendanceRecordEntity } from './attendance-record.entity';
import {
  addDays,
  ATTENDED,
  AttendanceStatus,
  computeRates,
  Rates,
  RateRow,
  windowFor,
} from './attendance-rules';
import { AttendanceSessionEntity, SessionType } from './attendance-session.entity';
import { AttendanceException } from './attendance.exception';
import { AttendancePolicy } from './attendance.policy';
import { LearningBridge } from './learning-bridge';
import { LeaveRequestEntity } from './leave-request.entity';
import { MakeUpEntity } from './make-up.entity';
import { MembershipsService } from './memberships.service';
import { newId } from '../common/ids';

/** Emitted after commit for every attendance row written (check-in, proxy, closing). */
export const ATTENDANCE_RECORDED = 'attendance.recorded';
export interface AttendanceRecordedEvent {
  userId: string;
  sessionType: SessionType;
  sessionId: string;
  status: AttendanceStatus;
  at: Date;
}

/** Who runs a session of each type: study days belong to the branch secretary, training sessions also to trainers. */
export const MANAGERS: Record<SessionType, readonly Role[]> = {
  study_day: ['secretary', 'admin'],
  training_session: ['trainer', 'secretary', 'admin'],
};

export interface NewSession {
  id?: string;
  sessionType: SessionType;
  orgId: string;
  title: string;
  startsAt: Date;
  endsAt: Date;
  lessonIds?: string[];
  creditHours?: number | null;
  trainingKind?: string | null;
  courseSlug?: string | null;
  place?: string | null;
}

export interface SessionPatch {
  title?: string;
  startsAt?: Date;
  endsAt?: Date;
  lessonIds?: string[];
  place?: string | null;
  cancelled?: boolean;
}

export interface RosterRow {
  userId: string;
  username: string;
  displayName: string;
  status: AttendanceStatus | 'pending';
  reason: string | null;
  at: string | null;
  source: string | null;
  leave: { id: string; state: string; reason: string } | null;
  makeUp: { id: string; dueOn: string; done: boolean } | null;
}

export interface Roster {
  sessionId: string;
  sessionType: SessionType;
  title: string;
  startsAt: string;
  endsAt: string;
  closed: boolean;
  cancelled: boolean;
  items: RosterRow[];
  counts: Record<AttendanceStatus | 'pending', number>;
  rates: Rates;
}

export interface CloseResult {
  sessionId: string;
  closed: boolean;
  absent: number;
  leave: number;
  makeUps: number;
}

const SWEEP_EVERY_MS = 60_000;

@Injectable()
export class AttendanceService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Attendance');
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectRepository(AttendanceSessionEntity)
    private readonly sessions: Repository<AttendanceSessionEntity>,
    @InjectRepository(AttendanceRecordEntity)
    private readonly records: Repository<AttendanceRecordEntity>,
    @InjectRepository(LeaveRequestEntity) private readonly leaves: Repository<LeaveRequestEntity>,
    @InjectRepository(MakeUpEntity) private readonly makeUps: Repository<MakeUpEntity>,
    private readonly tree: OrgTreeService,
    private readonly tx: TransactionService,
    private readonly policy: PolicyService,
    private readonly memberships: MembershipsService,
    private readonly learning: LearningBridge,
    private readonly events: EventEmitter2,
    private readonly clock: AttendanceClock,
  ) {}

  onApplicationBootstrap(): void {
    // Sessions close by themselves after their window; a missed tick is caught up by the next one.
    this.timer = setInterval(() => {
      this.sweep().catch((error: unknown) => this.logger.warn(`sweep failed: ${String(error)}`));
    }, SWEEP_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) {
      clearInterval(this.timer);
    }
  }

  async policyNumbers(): Promise<AttendancePolicy> {
    return this.policy.get<AttendancePolicy>('attendance');
  }

  /** Creates a session inside the caller's transaction (study days make one per occurrence). */
  async createSession(m: EntityManager, input: NewSession): Promise<AttendanceSessionEntity> {
    const row = await this.buildSession(input);
    await m.getRepository(AttendanceSessionEntity).insert(row);
    return row;
  }

  /** Builds session rows without writing them, for batch inserts (demo history). */
  async buildSession(input: NewSession): Promise<AttendanceSessionEntity> {
    if (!(input.endsAt.getTime() > input.startsAt.getTime())) {
      throw new AttendanceException('TIMES_INVALID', {}, 'endsAt');
    }
    const { checkIn } = await this.policyNumbers();
    const org = await this.tree.get(input.orgId);
    const window = windowFor(input.startsAt, input.endsAt, checkIn);
    return Object.assign(new AttendanceSessionEntity(), {
      id: input.id ?? newId(),
      sessionType: input.sessionType,
      orgId: input.orgId,
      title: input.title,
      startsAt: input.startsAt,
      endsAt: input.endsAt,
      opensAt: window.opensAt,
      closesAt: window.closesAt,
      graceMinutes: checkIn.graceMinutes,
      localDate: DateTime.fromJSDate(input.startsAt, { zone: org.zone }).toISODate() as string,
      checkInSecret: null,
      checkInOpenedAt: null,
      closedAt: null,
      cancelledAt: null,
      lessonIds: input.lessonIds ?? [],
      creditHours: input.creditHours ?? null,
      trainingKind: input.trainingKind ?? null,
      courseSlug: input.courseSlug ?? null,
      place: input.place ?? null,
      createdAt: this.clock.now(),
    });
  }

  async insertSessions(m: EntityManager, rows: AttendanceSessionEntity[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 40) {
      await m.getRepository(AttendanceSessionEntity).insert(rows.slice(i, i + 40));
    }
  }

  /** Writes a history that is already decided (demo data, imports from paper records), in batches. */
  async seedHistory(
    m: EntityManager,
    history: {
      closed: Array<{ id: string; closedAt: Date }>;
      records: Array<Record<string, unknown>>;
      leaves: Array<Record<string, unknown>>;
      makeUps: Array<Record<string, unknown>>;
    },
  ): Promise<void> {
    const batches: Array<[new () => object, Array<Record<string, unknown>>]> = [
      [AttendanceRecordEntity, history.records],
      [LeaveRequestEntity, history.leaves],
      [MakeUpEntity, history.makeUps],
    ];
    for (const { id, closedAt } of history.closed) {
      await m.getRepository(AttendanceSessionEntity).update({ id }, { closedAt });
    }
    for (const [entity, rows] of batches) {
      for (let i = 0; i < rows.length; i += 50) {
        await m.getRepository(entity).insert(rows.slice(i, i + 50));
      }
    }
  }

  /** Opens check-in with a given secret inside the caller's transaction (demo data). */
  async openForDemo(m: EntityManager, id: string, secret: string): Promise<void> {
    await m
      .getRepository(AttendanceSessionEntity)
      .update({ id }, { checkInSecret: secret, checkInOpenedAt: this.clock.now() });
  }

  /** Moves, edits or cancels a session with its meeting; a closed session keeps its times and records. */
  async updateSession(m: EntityManager, id: string, patch: SessionPatch): Promise<void> {
    const repo = m.getRepository(AttendanceSessionEntity);
    const session = await repo.findOneBy({ id });
    if (!session) {
      throw new AttendanceException('SESSION_NOT_FOUND');
    }
    const changes: Partial<AttendanceSessionEntity> = {};
    if (patch.title !== undefined) {
      changes.title = patch.title;
    }
    if (patch.lessonIds !== undefined) {
      changes.lessonIds = patch.lessonIds;
    }
    if (patch.place !== undefined) {
      changes.place = patch.place;
    }
    if (patch.cancelled !== undefined) {
      changes.cancelledAt = patch.cancelled ? (session.cancelledAt ?? this.clock.now()) : null;
    }
    if ((patch.startsAt || patch.endsAt) && !session.closedAt) {
      const startsAt = patch.startsAt ?? session.startsAt;
      const endsAt = patch.endsAt ?? session.endsAt;
      const { checkIn } = await this.policyNumbers();
      const org = await this.tree.get(session.orgId);
      Object.assign(changes, {
        startsAt,
        endsAt,
        ...windowFor(startsAt, endsAt, checkIn),
        localDate: DateTime.fromJSDate(startsAt, { zone: org.zone }).toISODate(),
      });
    }
    if (Object.keys(changes).length > 0) {
      await repo.update({ id }, changes);
    }
  }

  async findSession(id: unknown, type?: SessionType): Promise<AttendanceSessionEntity | null> {
    if (typeof id !== 'string' || id.length === 0 || id.length > 36) {
      return null;
    }
    const session = await this.sessions.findOneBy({ id });
    return session && (!type || session.sessionType === type) ? session : null;
  }

  /**
   * A session the actor may see: members of its organisation and managers above it. Anything else answers like
   * an unknown id.
   */
  async visibleSession(
    actor: Actor,
    id: unknown,
    type?: SessionType,
  ): Promise<{ session: AttendanceSessionEntity; org: OrgNodeEntity; manager: boolean }> {
    const session = await this.findSession(id, type);
    const org = session ? await this.tree.find(session.orgId) : null;
    if (!session || !org) {
      throw new AttendanceException('SESSION_NOT_FOUND');
    }
    const manager = canActAt(actor, MANAGERS[session.sessionType], org.path);
    if (!manager && !actor.orgPath.startsWith(org.path)) {
      throw new AttendanceException('SESSION_NOT_FOUND');
    }
    return { session, org, manager };
  }

  /** A session the actor manages (secretary of the branch or above); members get 403, others 404. */
  async managedSession(
    actor: Actor,
    id: unknown,
    type?: SessionType,
  ): Promise<{ session: AttendanceSessionEntity; org: OrgNodeEntity }> {
    const { session, org, manager } = await this.visibleSession(actor, id, type);
    if (!manager) {
      throw new CommonException('FORBIDDEN');
    }
    return { session, org };
  }

  async roster(actor: Actor, id: unknown, type?: SessionType): Promise<Roster> {
    const { session, org } = await this.managedSession(actor, id, type);
    return this.rosterOf(session, org);
  }

  /** Roster without an actor check, for callers that already checked (pages, home). */
  async rosterOf(session: AttendanceSessionEntity, org: OrgNodeEntity): Promise<Roster> {
    if (!session.closedAt) {
      await this.tx.run((m) => this.memberships.sync(m, org, this.clock.now()));
    }
    const m = this.sessions.manager;
    const liable = session.closedAt
      ? []
      : await this.memberships.liableAt(m, org.id, session.localDate);
    const [records, leaves, makeUps] = await Promise.all([
      this.records.findBy({ sessionId: session.id }),
      this.leaves.findBy({ sessionId: session.id }),
      this.makeUps.findBy({ sessionId: session.id }),
    ]);
    const userIds = [
      ...new Set([...liable, ...records.map((r) => r.userId), ...leaves.map((l) => l.userId)]),
    ];
    const people = await this.peopleByIds(userIds);
    const items: RosterRow[] = userIds.map((userId) => {
      const record = records.find((r) => r.userId === userId);
      const leave = leaves.find((l) => l.userId === userId);
      const makeUp = makeUps.find((x) => x.userId === userId);
      const person = people.get(userId);
      return {
        userId,
        username: person?.username ?? '',
        displayName: person?.displayName ?? '',
        status: record?.status ?? (leave?.state === 'approved' ? 'leave' : 'pending'),
        reason: record?.reason ?? null,
        at: record?.at.toISOString() ?? null,
        source: record?.source ?? null,
        leave: leave ? { id: leave.id, state: leave.state, reason: leave.reason } : null,
        makeUp: makeUp
          ? { id: makeUp.id, dueOn: makeUp.dueOn, done: makeUp.doneAt !== null }
          : null,
      };
    });
    items.sort((a, b) => a.username.localeCompare(b.username));
    const counts = {
      present: 0,
      late: 0,
      leave: 0,
      absent: 0,
      proxy: 0,
      home_visit: 0,
      pending: 0,
    };
    for (const row of items) {
      counts[row.status] += 1;
    }
    const rateRows: RateRow[] = items
      .filter((r) => r.status !== 'pending')
      .map((r) => ({
        status: r.status as AttendanceStatus,
        makeUpDone: r.makeUp ? r.makeUp.done : null,
      }));
    return {
      sessionId: session.id,
      sessionType: session.sessionType,
      title: session.title,
      startsAt: session.startsAt.toISOString(),
      endsAt: session.endsAt.toISOString(),
      closed: session.closedAt !== null,
      cancelled: session.cancelledAt !== null,
      items,
      counts,
      rates: computeRates(rateRows),
    };
  }

  async close(actor: Actor, id: unknown, type?: SessionType): Promise<CloseResult> {
    const { session } = await this.managedSession(actor, id, type);
    if (session.closedAt) {
      throw new AttendanceException('SESSION_CLOSED');
    }
    return this.closeSession(session.id);
  }

  /**
   * Closing: every liable member without a record becomes absent (or on leave, when approved), and each of them
   * owes the linked lessons as make-up study. Claimed with a conditional update, so two processes (or the sweep and
   * a secretary) never close the same session twice.
   */
  async closeSession(id: string): Promise<CloseResult> {
    const now = this.clock.now();
    const { makeUp } = await this.policyNumbers();
    const events: AttendanceRecordedEvent[] = [];
    const result = await this.tx.run(async (m) => {
      const claimed = await m
        .createQueryBuilder()
        .update(AttendanceSessionEntity)
        .set({ closedAt: now })
        .where('id = :id AND closed_at IS NULL', { id })
        .execute();
      if (!claimed.affected) {
        return { sessionId: id, closed: false, absent: 0, leave: 0, makeUps: 0 };
      }
      const session = await m.getRepository(AttendanceSessionEntity).findOneByOrFail({ id });
      if (session.cancelledAt) {
        return { sessionId: id, closed: true, absent: 0, leave: 0, makeUps: 0 };
      }
      const org = await this.tree.get(session.orgId);
      await this.memberships.sync(m, org, now);
      const liable = await this.memberships.liableAt(m, org.id, session.localDate);
      const recorded = new Set(
        (await m.getRepository(AttendanceRecordEntity).findBy({ sessionId: id })).map(
          (r) => r.userId,
        ),
      );
      const approved = new Set(
        (
          await m.getRepository(LeaveRequestEntity).findBy({ sessionId: id, state: 'approved' })
        ).map((l) => l.userId),
      );
      const missing = liable.filter((u) => !recorded.has(u));
      const rows: Array<
        Omit<AttendanceRecordEntity, 'reason' | 'recordedBy'> & { reason: null; recordedBy: null }
      > = missing.map((userId) => ({
        id: newId(),
        sessionId: id,
        userId,
        status: approved.has(userId) ? 'leave' : 'absent',
        reason: null,
        recordedBy: null,
        source: 'close',
        at: now,
      }));
      for (let i = 0; i < rows.length; i += 50) {
        await m
          .getRepository(AttendanceRecordEntity)
          .createQueryBuilder()
          .insert()
          .values(rows.slice(i, i + 50))
          .orIgnore()
          .execute();
      }
      events.push(
        ...rows.map((r) => ({
          userId: r.userId,
          sessionType: session.sessionType,
          sessionId: id,
          status: r.status,
          at: now,
        })),
      );
      let makeUps = 0;
      if (session.lessonIds.length > 0 && rows.length > 0) {
        const dueOn = addDays(
          DateTime.fromJSDate(now, { zone: org.zone }).toISODate() as string,
          makeUp.dueDays,
        );
        const assignments = [];
        for (const r of rows) {
          // Lessons already studied before the meeting closed count at once.
          const done = await this.learning.completedLessonIds(r.userId, session.lessonIds);
          const doneLessonIds = session.lessonIds.filter((l) => done.has(l));
          assignments.push({
            id: newId(),
            sessionId: id,
            userId: r.userId,
            reason: r.status,
            lessonIds: session.lessonIds,
            doneLessonIds,
            dueOn,
            doneAt: doneLessonIds.length === session.lessonIds.length ? now : null,
            createdAt: now,
          });
        }
        for (let i = 0; i < assignments.length; i += 50) {
          await m
            .getRepository(MakeUpEntity)
            .createQueryBuilder()
            .insert()
            .values(assignments.slice(i, i + 50))
            .orIgnore()
            .execute();
        }
        makeUps = assignments.length;
      }
      return {
        sessionId: id,
        closed: true,
        absent: rows.filter((r) => r.status === 'absent').length,
        leave: rows.filter((r) => r.status === 'leave').length,
        makeUps,
      };
    });
    for (const event of events) {
      await this.events.emitAsync(ATTENDANCE_RECORDED, event);
    }
    return result;
  }

  /** Closes every session whose window has ended (every minute, in every process). */
  async sweep(): Promise<number> {
    const now = this.clock.now();
    const due = await this.sessions.find({
      where: { closedAt: IsNull(), closesAt: LessThanOrEqual(now) },
      select: { id: true },
      take: 200,
    });
    if (due.length === 0) {
      return 0;
    }
    let closed = 0;
    for (const { id } of due) {
      // Each close claims its session with a conditional update, so several processes sweeping at once is safe.
      closed += (await this.closeSession(id)).closed ? 1 : 0;
    }
    return closed;
  }

  /**
   * Attendance and commitment rates over closed, not cancelled sessions starting in [from, to), for some people or
   * for an organisation's subtree. Formulas: attendance = (present + late + proxy + home visit) / liable;
   * commitment = (those + leave whose make-up is done) / liable.
   */
  async rates(
    who: { userIds: string[] } | { orgId: string },
    from: Date,
    to: Date,
    sessionType: SessionType = 'study_day',
  ): Promise<Rates> {
    const qb = this.records
      .createQueryBuilder('r')
      .innerJoin(AttendanceSessionEntity, 's', 's.id = r.session_id')
      .leftJoin(MakeUpEntity, 'mu', 'mu.session_id = r.session_id AND mu.user_id = r.user_id')
      .select(['r.status AS status', 'mu.id AS "makeUpId"', 'mu.done_at AS "doneAt"'])
      .where('s.session_type = :type', { type: sessionType })
      .andWhere('s.closed_at IS NOT NULL AND s.cancelled_at IS NULL')
      .andWhere('s.starts_at >= :from AND s.starts_at < :to', {
        from: from.toISOString(),
        to: to.toISOString(),
      });
    if ('userIds' in who) {
      if (who.userIds.length === 0) {
        return computeRates([]);
      }
      qb.andWhere('r.user_id IN (:...ids)', { ids: who.userIds });
    } else {
      const org = await this.tree.get(who.orgId);
      qb.innerJoin(OrgNodeEntity, 'o', 'o.id = s.org_id').andWhere('o.path LIKE :path', {
        path: `${org.path}%`,
      });
    }
    const rows = await qb.getRawMany<Record<string, string | null>>();
    return computeRates(
      rows.map((r) => {
        const makeUpId = r.makeUpId ?? r.makeupid ?? null;
        const doneAt = r.doneAt ?? r.doneat ?? null;
        return {
          status: r.status as AttendanceStatus,
          makeUpDone: makeUpId ? doneAt !== null : null,
        };
      }),
    );
  }

  /** Sessions of an organisation's subtree visible to the actor as a manager (for a secretary's overview). */
  async sessionsInScope(
    actor: Actor,
    type: SessionType,
    from: Date,
    to: Date,
  ): Promise<AttendanceSessionEntity[]> {
    const roots = scopeRoots(actor, MANAGERS[type]);
    if (roots.length === 0) {
      return [];
    }
    return this.sessions
      .createQueryBuilder('s')
      .innerJoin(OrgNodeEntity, 'o', 'o.id = s.org_id')
      .where('s.session_type = :type', { type })
      .andWhere('s.starts_at >= :from AND s.starts_at < :to', {
        from: from.toISOString(),
        to: to.toISOString(),
      })
      .andWhere(
        new Brackets((w) =>
          roots.forEach((root, i) =>
            w.orWhere(`o.path LIKE :root${i}`, { [`root${i}`]: `${root}%` }),
          ),
        ),
      )
      .orderBy('s.starts_at', 'ASC')
      .getMany();
  }

  /** Status of one person at several sessions (for calendars and home pages). */
  async statusesOf(
    userId: string,
    sessionIds: string[],
  ): Promise<Map<string, { status: AttendanceStatus | null; leave: string | null }>> {
    const out = new Map<string, { status: AttendanceStatus | null; leave: string | null }>();
    if (sessionIds.length === 0) {
      return out;
    }
    const [records, leaves] = await Promise.all([
      this.records.findBy({ userId, sessionId: In(sessionIds) }),
      this.leaves.findBy({ userId, sessionId: In(sessionIds) }),
    ]);
    for (const id of sessionIds) {
      out.set(id, {
        status: records.find((r) => r.sessionId === id)?.status ?? null,
        leave: leaves.find((l) => l.sessionId === id)?.state ?? null,
      });
    }
    return out;
  }

  /** Counts per session for many sessions at once (calendar badges, regularity). */
  async summaries(
    sessionIds: string[],
  ): Promise<Map<string, { attended: number; records: number; closed: boolean }>> {
    const out = new Map<string, { attended: number; records: number; closed: boolean }>();
    if (sessionIds.length === 0) {
      return out;
    }
    const sessions = await this.sessions.find({
      where: { id: In(sessionIds) },
      select: { id: true, closedAt: true },
    });
    const rows = await this.records
      .createQueryBuilder('r')
      .select(['r.session_id AS "sessionId"', 'r.status AS status', 'COUNT(*) AS n'])
      .where('r.session_id IN (:...ids)', { ids: sessionIds })
      .groupBy('r.session_id')
      .addGroupBy('r.status')
      .getRawMany<Record<string, string>>();
    for (const s of sessions) {
      out.set(s.id, { attended: 0, records: 0, closed: s.closedAt !== null });
    }
    for (const r of rows) {
      const entry = out.get(r.sessionId ?? r.sessionid ?? '');
      if (entry) {
        const n = Number(r.n);
        entry.records += n;
        if ((ATTENDED as readonly string[]).includes(r.status ?? '')) {
          entry.attended += n;
        }
      }
    }
    return out;
  }

  async peopleByIds(
    ids: string[],
  ): Promise<Map<string, { username: string; displayName: string }>> {
    const out = new Map<string, { username: string; displayName: string }>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.sessions.manager
        .createQueryBuilder()
        .select(['u.id AS id', 'u.username AS username', 'u.display_name AS "displayName"'])
        .from('users', 'u')
        .where('u.id IN (:...ids)', { ids: ids.slice(i, i + 500) })
        .getRawMany<Record<string, string>>();
      for (const r of rows) {
        out.set(r.id ?? '', {
          username: r.username ?? '',
          displayName: r.displayName ?? r.displayname ?? '',
        });
      }
    }
    return out;
  }
}
