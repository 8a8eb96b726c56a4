import { DEFAULT_LANG, Lang, translate } from '../common/i18n/i18n';
import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { EntityManager, In, IsNull, LessThanOrEqual, MoreThan, Repository } from 'typeorm';
import { Actor } from '../common/access/actor';
import { CommonException } from '../common/errors/app.exception';
import { AuditService } from '../audit/audit.service';
import { isUniqueViolation } from '../database/db-errors';
import { TransactionService } from '../database/transaction.service';
import { OrgNodeEntity } from '../organizations/org-node.entity';
import { OrgTreeService } from '../organizations/org-tree.service';
import { AttendanceClock } from './attendance-clock';
import { AttendanceRecordEntity } from './attendance-record.entity';
import {
  arrivalStatus,
  ATTENDED,
  AttendanceStatus,
  RecordableStatus,
  windowState,
} from './attendance-rules';
import { AttendanceSessionCache } from './attendance-session-cache';
import { AttendanceSessionEntity, SessionType } from './attendance-session.entity';
import { AttendanceException } from './attendance.exception';
import {
  ATTENDANCE_RECORDED,
  AttendanceRecordedEvent,
  AttendanceService,
} from './attendance.service';
import { checkInQrSvg, currentCode, newCheckInSecret, verifyCode } from './check-in-code';
import { LearningBridge } from './learning-bridge';
import { newId } from '../common/ids';
import { namedQuery } from '../database/named-query';

export interface CheckInCodeView {
  code: string;
  qrSvg: string;
  expiresAt: string;
  checkInUrl: string;
  stepSeconds: number;
  opensAt: string;
  closesAt: string;
}

export interface CheckInResult {
  id: string;
  sessionId: string;
  sessionType: SessionType;
  title: string;
  status: AttendanceStatus;
  at: string;
  startsAt: string;
  place: string | null;
}

/**
 * Check-in by rotating code (TOTP over a per-session secret), and attendance recorded by a secretary for someone
 * else. Wrong codes are counted per person in this process (as sign-in failures are): with a 6-digit code and
 * at most `wrongCodesPerMinute` guesses a minute, guessing within a two-hour window succeeds with p < 0.001.
 * They are also counted per meeting, so many accounts guessing together are held to
 * `wrongCodesPerSessionPerMinute` guesses a minute plus one per account (see throttle()).
 */
@Injectable()
export class CheckInService {
  private limiter?: { points: number; store: RateLimiterMemory };
  private sessionLimiter?: { points: number; store: RateLimiterMemory };

  constructor(
    @InjectRepository(AttendanceSessionEntity)
    private readonly sessions: Repository<AttendanceSessionEntity>,
    @InjectRepository(AttendanceRecordEntity)
    private readonly records: Repository<AttendanceRecordEntity>,
    private readonly attendance: AttendanceService,
    private readonly tree: OrgTreeService,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
    private readonly learning: LearningBridge,
    private readonly events: EventEmitter2,
    private readonly clock: AttendanceClock,
    private readonly sessionCache: AttendanceSessionCache,
  ) {}

  /** Opens check-in (first call makes the secret) and answers the code to show now, with its QR code. */
  async openCheckIn(
    actor: Actor,
    id: unknown,
    type: SessionType,
    origin: string,
    lang: Lang = DEFAULT_LANG,
  ): Promise<CheckInCodeView> {
    const { session } = await this.attendance.managedSession(actor, id, type);
    if (session.cancelledAt) {
      throw new AttendanceException('SESSION_CANCELLED');
    }
    const now = this.clock.now();
    if (session.closedAt || windowState(session, now) === 'closed') {
      throw new AttendanceException('CHECK_IN_CLOSED');
    }
    let secret = session.checkInSecret;
    if (!secret) {
      const fresh = newCheckInSecret();
      secret = await this.tx.run(async (m) => {
        // Two secretaries opening at once must end with one secret.
        await m
          .getRepository(AttendanceSessionEntity)
          .update(
            { id: session.id, checkInSecret: IsNull() },
            { checkInSecret: fresh, checkInOpenedAt: now },
          );
        return (await m.getRepository(AttendanceSessionEntity).findOneByOrFail({ id: session.id }))
          .checkInSecret as string;
      });
    }
    return this.codeView(session, secret, origin, now, lang);
  }

  private async codeView(
    session: AttendanceSessionEntity,
    secret: string,
    origin: string,
    now: Date,
    lang: Lang,
  ): Promise<CheckInCodeView> {
    const { checkIn } = await this.attendance.policyNumbers();
    const { code, validUntil } = currentCode(secret, now, {
      stepSeconds: checkIn.codeStepSeconds,
      digits: checkIn.codeDigits,
    });
    const checkInUrl = `${origin}/check-in?s=${encodeURIComponent(session.id)}&code=${code}`;
    return {
      code,
      qrSvg: await checkInQrSvg(checkInUrl, translate(lang, 'attendance.qrLabel')),
      expiresAt: validUntil.toISOString(),
      checkInUrl,
      stepSeconds: checkIn.codeStepSeconds,
      opensAt: session.opensAt.toISOString(),
      closesAt: session.closesAt.toISOString(),
    };
  }

  /**
   * A member checks in with the code on the screen. With no session id (code typed at /check-in), the code is
   * matched against the sessions open now for the person's organisations.
   */
  async checkIn(
    actor: Actor,
    sessionId: string | null,
    type: SessionType | null,
    code: string,
    ip?: string,
  ): Promise<CheckInResult> {
    const now = this.clock.now();
    const session = sessionId
      ? await this.checkable(actor, sessionId, type, now)
      : await this.matchOpenSession(actor, code, now);
    await this.throttle(actor.userId, [session]);
    const { checkIn } = await this.attendance.policyNumbers();
    const ok =
      session.checkInSecret !== null &&
      verifyCode(session.checkInSecret, code, now, {
        stepSeconds: checkIn.codeStepSeconds,
        digits: checkIn.codeDigits,
        acceptPreviousSteps: checkIn.acceptPreviousSteps,
      });
    if (!ok) {
      await this.wrongCode(actor, [session]);
      throw new AttendanceException('CODE_INVALID', {}, 'code');
    }
    const status = arrivalStatus(session, now);
    const record = await this.insertRecord(
      session,
      actor.userId,
      status,
      { recordedBy: actor.userId, source: 'code', reason: null, at: now },
      ip,
    );
    return {
      id: record.id,
      sessionId: session.id,
      sessionType: session.sessionType,
      title: session.title,
      status,
      at: now.toISOString(),
      startsAt: session.startsAt.toISOString(),
      place: session.place,
    };
  }

  /** The order of refusals: unknown (404), not a member (403), cancelled or over (410), not open yet (409). */
  private async checkable(
    actor: Actor,
    id: string,
    type: SessionType | null,
    now: Date,
  ): Promise<AttendanceSessionEntity> {
    // findSession refuses malformed ids (null), and a null is never cached.
    const cached = await this.sessionCache.get(id, () => this.attendance.findSession(id));
    const session = cached && (!type || cached.sessionType === type) ? cached : null;
    const org = session ? await this.tree.find(session.orgId) : null;
    if (!session || !org) {
      throw new AttendanceException('SESSION_NOT_FOUND');
    }
    if (!actor.orgPath.startsWith(org.path)) {
      throw new AttendanceException('NOT_A_MEMBER');
    }
    this.checkWindow(session, now);
    return session;
  }

  private checkWindow(session: AttendanceSessionEntity, now: Date): void {
    if (session.cancelledAt) {
      throw new AttendanceException('SESSION_CANCELLED');
    }
    const state = windowState(session, now);
    if (session.closedAt || state === 'closed') {
      throw new AttendanceException('CHECK_IN_CLOSED');
    }
    if (state === 'not_open') {
      throw new AttendanceException('CHECK_IN_NOT_STARTED', {
        opensAt: session.opensAt.toISOString(),
      });
    }
    if (!session.checkInSecret) {
      throw new AttendanceException('CHECK_IN_NOT_OPEN');
    }
  }

  private async matchOpenSession(
    actor: Actor,
    code: string,
    now: Date,
  ): Promise<AttendanceSessionEntity> {
    const orgIds = actor.orgPath.split('/').filter(Boolean);
    const open = await this.sessions.find({
      where: {
        orgId: In(orgIds),
        opensAt: LessThanOrEqual(now),
        closesAt: MoreThan(now),
        closedAt: IsNull(),
        cancelledAt: IsNull(),
      },
      order: { startsAt: 'ASC' },
      take: 20,
    });
    const candidates = open.filter((s) => s.checkInSecret !== null);
    if (candidates.length === 0) {
      throw new AttendanceException('NO_OPEN_SESSION');
    }
    await this.throttle(actor.userId, candidates);
    const { checkIn } = await this.attendance.policyNumbers();
    const match = candidates.find((s) =>
      verifyCode(s.checkInSecret as string, code, now, {
        stepSeconds: checkIn.codeStepSeconds,
        digits: checkIn.codeDigits,
        acceptPreviousSteps: checkIn.acceptPreviousSteps,
      }),
    );
    if (!match) {
      await this.wrongCode(actor, candidates);
      throw new AttendanceException('CODE_INVALID', {}, 'code');
    }
    return match;
  }

  /** A secretary records attendance for someone (proxy check-in, a home visit, a correction), with a reason, audited. */
  async recordFor(
    actor: Actor,
    id: unknown,
    type: SessionType,
    input: { userId: string; status: RecordableStatus; reason: string },
    ip?: string,
  ): Promise<{ id: string; userId: string; status: AttendanceStatus; reason: string; at: string }> {
    const { session, org } = await this.attendance.managedSession(actor, id, type);
    if (session.cancelledAt) {
      throw new AttendanceException('SESSION_CANCELLED');
    }
    const person = await this.memberOf(org, input.userId);
    const now = this.clock.now();
    const existing = await this.records.findOneBy({ sessionId: session.id, userId: person });
    if (existing) {
      // A correction replaces the status of the one row; the audit log keeps what it was.
      await this.tx.run(async (m) => {
        await m.getRepository(AttendanceRecordEntity).update(
          { id: existing.id },
          {
            status: input.status,
            reason: input.reason,
            recordedBy: actor.userId,
            source: 'secretary',
            at: now,
          },
        );
        await this.audit.record(
          {
            action: 'attendance.correct',
            actor,
            targetType: 'attendance',
            targetId: existing.id,
            orgId: org.id,
            ip,
            details: {
              sessionId: session.id,
              userId: person,
              before: existing.status,
              after: input.status,
              reason: input.reason,
            },
          },
          m,
        );
        if (ATTENDED.includes(input.status) && !ATTENDED.includes(existing.status)) {
          await this.credit(m, session, person, now);
        }
      });
      await this.events.emitAsync(ATTENDANCE_RECORDED, {
        userId: person,
        sessionType: session.sessionType,
        sessionId: session.id,
        status: input.status,
        at: now,
      } satisfies AttendanceRecordedEvent);
      return {
        id: existing.id,
        userId: person,
        status: input.status,
        reason: input.reason,
        at: now.toISOString(),
      };
    }
    const record = await this.insertRecord(
      session,
      person,
      input.status,
      { recordedBy: actor.userId, source: 'secretary', reason: input.reason, at: now },
      ip,
      actor,
      org.id,
    );
    return {
      id: record.id,
      userId: person,
      status: input.status,
      reason: input.reason,
      at: now.toISOString(),
    };
  }

  private async memberOf(org: OrgNodeEntity, userId: string): Promise<string> {
    const rows = await this.sessions.manager
      .createQueryBuilder()
      .select(['u.id AS id'])
      .from('users', 'u')
      .innerJoin('org_nodes', 'o', 'o.id = u.org_id')
      .where('u.id = :id AND o.path LIKE :path', { id: userId, path: `${org.path}%` })
      .getRawMany<{ id: string }>();
    if (rows.length === 0) {
      throw new AttendanceException('NOT_A_MEMBER', {}, 'userId');
    }
    return userId;
  }

  private async insertRecord(
    session: AttendanceSessionEntity,
    userId: string,
    status: AttendanceStatus,
    meta: { recordedBy: string; source: string; reason: string | null; at: Date },
    ip?: string,
    auditActor?: Actor,
    orgId?: string,
  ): Promise<AttendanceRecordEntity> {
    const record = Object.assign(new AttendanceRecordEntity(), {
      id: newId(),
      sessionId: session.id,
      userId,
      status,
      ...meta,
    });
    try {
      // Replayable: nothing but rows is written before it returns (a storm's units share one savepoint).
      await this.tx.runReplayable(async (m) => {
        // Written as SQL: the entity insert was ~3% of a check-in's CPU (storm profile).
        await namedQuery(
          m,
          `INSERT INTO attendance_records (id, session_id, user_id, status, reason, recorded_by, source, at)
           VALUES (:id, :sessionId, :userId, :status, :reason, :recordedBy, :source, :at)`,
          { ...record, at: record.at.toISOString() },
        );
        if (auditActor) {
          await this.audit.record(
            {
              action: 'attendance.record',
              actor: auditActor,
              targetType: 'attendance',
              targetId: record.id,
              orgId,
              ip,
              details: { sessionId: session.id, userId, status, reason: meta.reason },
            },
            m,
          );
        }
        if (ATTENDED.includes(status)) {
          await this.credit(m, session, userId, meta.at);
        }
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new AttendanceException('ALREADY_CHECKED_IN');
      }
      throw error;
    }
    await this.events.emitAsync(ATTENDANCE_RECORDED, {
      userId,
      sessionType: session.sessionType,
      sessionId: session.id,
      status,
      at: meta.at,
    } satisfies AttendanceRecordedEvent);
    return record;
  }

  /** Study days count toward party-member education by their length; training sessions by their set hours. */
  private async credit(
    m: EntityManager,
    session: AttendanceSessionEntity,
    userId: string,
    at: Date,
  ): Promise<void> {
    // The meeting's length in quarter hours; the study-hours policy weighs recorded hours by its own factor.
    const hours =
      Math.round(((session.endsAt.getTime() - session.startsAt.getTime()) / 3_600_000) * 4) / 4;
    await this.learning.credit(m, {
      userId,
      activityType: session.sessionType === 'study_day' ? 'study_day' : 'session',
      activityId: session.id,
      trainingKind: session.trainingKind ?? 'on_the_job',
      occurredAt: at,
      title: session.title,
      courseSlug: session.courseSlug,
      basis: { hours: session.creditHours ?? hours },
    });
  }

  private async store(): Promise<RateLimiterMemory> {
    const { checkIn } = await this.attendance.policyNumbers();
    if (!this.limiter || this.limiter.points !== checkIn.wrongCodesPerMinute) {
      this.limiter = {
        points: checkIn.wrongCodesPerMinute,
        store: new RateLimiterMemory({
          keyPrefix: 'checkin',
          points: checkIn.wrongCodesPerMinute,
          duration: 60,
        }),
      };
    }
    return this.limiter.store;
  }

  private async sessionStore(): Promise<{ points: number; store: RateLimiterMemory }> {
    const { checkIn } = await this.attendance.policyNumbers();
    const points = checkIn.wrongCodesPerSessionPerMinute;
    if (!this.sessionLimiter || this.sessionLimiter.points !== points) {
      this.sessionLimiter = {
        points,
        store: new RateLimiterMemory({ keyPrefix: 'checkin-session', points, duration: 60 }),
      };
    }
    return this.sessionLimiter;
  }

  /**
   * Refuses a person with too many wrong codes of their own (429 RATE_LIMITED), and, at a meeting that has had its
   * minute's budget of wrong codes from anyone, a person who has typed a wrong code within their minute
   * (429 TOO_MANY_WRONG_CODES). A first try is never refused, so guessers cannot lock the members out.
   */
  private async throttle(userId: string, sessions: AttendanceSessionEntity[]): Promise<void> {
    const store = await this.store();
    const state = await store.get(userId);
    if (state && state.remainingPoints <= 0) {
      throw new CommonException('RATE_LIMITED', {
        seconds: Math.max(1, Math.ceil(state.msBeforeNext / 1000)),
      });
    }
    if (!state || state.consumedPoints <= 0) {
      return;
    }
    const { store: perSession } = await this.sessionStore();
    for (const session of sessions) {
      const used = await perSession.get(session.id);
      if (used && used.remainingPoints <= 0) {
        const ms = Math.min(used.msBeforeNext, state.msBeforeNext);
        throw new AttendanceException('TOO_MANY_WRONG_CODES', {
          seconds: Math.max(1, Math.ceil(ms / 1000)),
        });
      }
    }
  }

  /** Counts a wrong code for the person and each meeting it was tried at; a meeting reaching its budget is audited. */
  private async wrongCode(actor: Actor, sessions: AttendanceSessionEntity[]): Promise<void> {
    await (await this.store()).penalty(actor.userId, 1);
    const { points, store } = await this.sessionStore();
    for (const session of sessions) {
      const used = await store.penalty(session.id, 1);
      if (used.consumedPoints === points) {
        await this.tx.run((m) =>
          this.audit.record(
            {
              action: 'attendance.code_guessing',
              actor,
              targetType: 'attendance_session',
              targetId: session.id,
              orgId: session.orgId,
              details: { wrongCodes: points, seconds: 60 },
            },
            m,
          ),
        );
      }
    }
  }
}
