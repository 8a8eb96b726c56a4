import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DateTime } from 'luxon';
import { Between, EntityManager, In, MoreThan, Repository } from 'typeorm';
import { Actor, canActAt, Role } from '../common/access/actor';
import { AuditService } from '../audit/audit.service';
import { AttendanceClock } from '../attendance/attendance-clock';
import { AttendanceService } from '../attendance/attendance.service';
import { LearningBridge } from '../attendance/learning-bridge';
import { TransactionService } from '../database/transaction.service';
import { OrgNodeEntity } from '../organizations/org-node.entity';
import { OrgTreeService } from '../organizations/org-tree.service';
import { OrganizationsException } from '../organizations/organizations.exception';
import { PolicyService } from '../policy/policy.service';
import { BranchRhythmPolicy } from './branch-rhythm.policy';
import { ScheduleStudyDayDto, UpdateStudyDayDto } from './dto/study-days.dto';
import { expandMonthly, MonthlyRule, Occurrence, RecurrenceError } from './recurrence';
import { StudyDaySeriesEntity } from './study-day-series.entity';
import { StudyDayEntity } from './study-day.entity';
import { StudyDaysException } from './study-days.exception';
import { StudyDayView, toStudyDayView } from './study-days.view';
import { newId } from '../common/ids';

export const BRANCH_MANAGERS: readonly Role[] = ['secretary', 'admin'];

export interface SeriesInput {
  orgId: string;
  zone: string;
  rule: MonthlyRule;
  startTime: string;
  endTime: string;
  from: string;
  until: string;
  topic: string;
  place: string;
  agenda: string;
  lessonIds: string[];
  meetingTypes: string[];
  createdBy: string | null;
}

export interface ScheduleResult {
  seriesId: string | null;
  occurrences: Array<{ id: string; startsAt: string; endsAt: string; localDate: string }>;
}

/** Series and occurrences of a branch's meetings: scheduling, the month calendar, moving, cancelling, editing. */
@Injectable()
export class StudyDaysService {
  constructor(
    @InjectRepository(StudyDayEntity) private readonly days: Repository<StudyDayEntity>,
    @InjectRepository(StudyDaySeriesEntity)
    private readonly series: Repository<StudyDaySeriesEntity>,
    private readonly tree: OrgTreeService,
    private readonly tx: TransactionService,
    private readonly policy: PolicyService,
    private readonly attendance: AttendanceService,
    private readonly learning: LearningBridge,
    private readonly audit: AuditService,
    private readonly clock: AttendanceClock,
  ) {}

  rhythm(): Promise<BranchRhythmPolicy> {
    return this.policy.get<BranchRhythmPolicy>('branch-rhythm');
  }

  /** The branch, for its secretary (or a secretary/admin above it) when `manage`, else also for its members. */
  async branchFor(
    actor: Actor,
    branchId: unknown,
    manage: boolean,
  ): Promise<{ branch: OrgNodeEntity; manager: boolean }> {
    const branch = manage
      ? await this.tree.requireAt(actor, BRANCH_MANAGERS, branchId)
      : await this.tree.get(branchId);
    const manager = canActAt(actor, BRANCH_MANAGERS, branch.path);
    if (!manager && !actor.orgPath.startsWith(branch.path)) {
      throw new OrganizationsException('ORG_OUT_OF_SCOPE');
    }
    if (branch.kind !== 'branch') {
      throw new StudyDaysException('ORG_NOT_BRANCH');
    }
    return { branch, manager };
  }

  async schedule(
    actor: Actor,
    branchId: string,
    dto: ScheduleStudyDayDto,
  ): Promise<ScheduleResult> {
    const { branch } = await this.branchFor(actor, branchId, true);
    const lessonIds = await this.checkLessons(dto.lessonIds ?? []);
    const startsAt = DateTime.fromISO(dto.startsAt).setZone(branch.zone);
    const endsAt = DateTime.fromISO(dto.endsAt).setZone(branch.zone);
    if (
      !startsAt.isValid ||
      !endsAt.isValid ||
      endsAt <= startsAt ||
      endsAt.toISODate() !== startsAt.toISODate()
    ) {
      throw new StudyDaysException('STUDY_DAY_TIMES_INVALID', {}, 'endsAt');
    }
    const meetingTypes = [...new Set<string>(dto.meetingTypes ?? ['study_day'])];
    const base = {
      orgId: branch.id,
      zone: branch.zone,
      topic: dto.topic.trim(),
      place: dto.place.trim(),
      agenda: dto.agenda ?? '',
      lessonIds,
      meetingTypes,
      createdBy: actor.userId,
    };
    if (!dto.recurrence) {
      const day = startsAt.toISODate();
      const created = await this.tx.run((m) =>
        this.insertOccurrences(m, { ...base, seriesId: null }, [
          {
            startsAt: startsAt.toUTC().toJSDate(),
            endsAt: endsAt.toUTC().toJSDate(),
            localDate: day,
          },
        ]),
      );
      return { seriesId: null, occurrences: created.map((d) => this.brief(d)) };
    }
    const from = startsAt.toISODate();
    const until = dto.until ?? startsAt.plus({ years: 1 }).minus({ days: 1 }).toISODate();
    const input: SeriesInput = {
      ...base,
      rule: dto.recurrence.monthly as MonthlyRule,
      startTime: startsAt.toFormat('HH:mm'),
      endTime: endsAt.toFormat('HH:mm'),
      from,
      until,
    };
    const result = await this.tx.run((m) => this.createSeries(m, input));
    return {
      seriesId: result.series.id,
      occurrences: result.occurrences.map((d) => this.brief(d)),
    };
  }

  /** Expands and stores a series with its occurrences and their attendance sessions (also used by the demo and the year generator). */
  async createSeries(
    m: EntityManager,
    input: SeriesInput,
  ): Promise<{ series: StudyDaySeriesEntity; occurrences: StudyDayEntity[] }> {
    const dates = this.expand(input);
    const now = this.clock.now();
    const series = Object.assign(new StudyDaySeriesEntity(), {
      id: newId(),
      orgId: input.orgId,
      meetingTypes: input.meetingTypes,
      rule: this.cleanRule(input.rule),
      startTime: input.startTime,
      endTime: input.endTime,
      zone: input.zone,
      fromDate: input.from,
      untilDate: input.until,
      topic: input.topic,
      place: input.place,
      agenda: input.agenda,
      lessonIds: input.lessonIds,
      createdBy: input.createdBy,
      createdAt: now,
      updatedAt: now,
    });
    await m.getRepository(StudyDaySeriesEntity).insert(series);
    const occurrences = await this.insertOccurrences(m, { ...input, seriesId: series.id }, dates);
    return { series, occurrences };
  }

  expand(
    input: Pick<SeriesInput, 'rule' | 'startTime' | 'endTime' | 'zone' | 'from' | 'until'>,
  ): Occurrence[] {
    try {
      return expandMonthly({
        rule: this.cleanRule(input.rule),
        startTime: input.startTime,
        endTime: input.endTime,
        zone: input.zone,
        from: input.from,
        until: input.until,
      });
    } catch (error) {
      if (error instanceof RecurrenceError) {
        throw new StudyDaysException('RECURRENCE_INVALID', { reason: error.message }, 'recurrence');
      }
      throw error;
    }
  }

  private cleanRule(
    rule: MonthlyRule | { day?: number; weekday?: string; nth?: number },
  ): MonthlyRule {
    // Validation leaves absent keys undefined; the recurrence unit wants exactly the keys given, and refuses a mix.
    return Object.fromEntries(
      Object.entries(rule).filter(([, v]) => v !== undefined),
    ) as MonthlyRule;
  }

  async insertOccurrences(
    m: EntityManager,
    base: Omit<SeriesInput, 'rule' | 'startTime' | 'endTime' | 'from' | 'until'> & {
      seriesId: string | null;
    },
    dates: Occurrence[],
  ): Promise<StudyDayEntity[]> {
    const now = this.clock.now();
    const rows = dates.map((o) =>
      Object.assign(new StudyDayEntity(), {
        id: newId(),
        orgId: base.orgId,
        seriesId: base.seriesId,
        meetingTypes: base.meetingTypes,
        startsAt: o.startsAt,
        endsAt: o.endsAt,
        localDate: o.localDate,
        originalDate: o.localDate,
        zone: base.zone,
        topic: base.topic,
        place: base.place,
        agenda: base.agenda,
        lessonIds: base.lessonIds,
        status: 'scheduled',
        changeReason: null,
        detached: false,
        sequence: 0,
        minutes: null,
        minutesAt: null,
        evidence: { plan: false, materials: false, signInSheet: false },
        createdBy: base.createdBy,
        createdAt: now,
        updatedAt: now,
      }),
    );
    for (let i = 0; i < rows.length; i += 30) {
      // No read-back into the objects: on SQLite TypeORM re-reads defaulted columns in key order and would mix
      // up which object is which.
      await m
        .createQueryBuilder()
        .insert()
        .into(StudyDayEntity)
        .values(rows.slice(i, i + 30))
        .updateEntity(false)
        .execute();
    }
    const sessions = await Promise.all(
      rows.map((d) =>
        this.attendance.buildSession({
          id: d.id,
          sessionType: 'study_day',
          orgId: d.orgId,
          title: d.topic,
          startsAt: d.startsAt,
          endsAt: d.endsAt,
          lessonIds: d.lessonIds,
          place: d.place,
        }),
      ),
    );
    await this.attendance.insertSessions(m, sessions);
    return rows;
  }

  private brief(d: StudyDayEntity): ScheduleResult['occurrences'][number] {
    const view = toStudyDayView(d, 7);
    return { id: d.id, startsAt: view.startsAt, endsAt: view.endsAt, localDate: d.localDate };
  }

  /** Lesson ids must name real lessons (checked against the curriculum). */
  async checkLessons(ids: string[]): Promise<string[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) {
      return [];
    }
    const found = await this.learning.lessonSummaries(unique);
    const missing = unique.find((id) => !found.some((l) => l.id === id));
    if (missing) {
      throw new StudyDaysException('LESSON_UNKNOWN', { id: missing }, 'lessonIds');
    }
    return unique;
  }

  /** The branch calendar of one month (local dates in the branch's zone). */
  async month(
    actor: Actor,
    branchId: string,
    month?: string,
  ): Promise<{
    branch: { id: string; name: string; zone: string };
    month: string;
    manager: boolean;
    items: StudyDayView[];
  }> {
    const { branch, manager } = await this.branchFor(actor, branchId, false);
    const start = month
      ? DateTime.fromISO(`${month}-01`, { zone: branch.zone })
      : DateTime.fromJSDate(this.clock.now(), { zone: branch.zone }).startOf('month');
    if (!start.isValid) {
      throw new StudyDaysException('MONTH_INVALID', {}, 'month');
    }
    const rows = await this.days.find({
      where: {
        orgId: branch.id,
        localDate: Between(start.toISODate(), start.endOf('month').toISODate()),
      },
      order: { startsAt: 'ASC' },
    });
    const { holidayShift } = await this.rhythm();
    return {
      branch: { id: branch.id, name: branch.name, zone: branch.zone },
      month: start.toFormat('yyyy-MM'),
      manager,
      items: rows.map((d) => toStudyDayView(d, holidayShift.maxDays)),
    };
  }

  /** A meeting the actor may see (member of its branch, or a manager above it); anything else is 404. */
  async visible(
    actor: Actor,
    id: unknown,
  ): Promise<{ day: StudyDayEntity; branch: OrgNodeEntity; manager: boolean }> {
    const day =
      typeof id === 'string' && id.length > 0 && id.length <= 36
        ? await this.days.findOneBy({ id })
        : null;
    const branch = day ? await this.tree.find(day.orgId) : null;
    if (!day || !branch) {
      throw new StudyDaysException('STUDY_DAY_NOT_FOUND');
    }
    const manager = canActAt(actor, BRANCH_MANAGERS, branch.path);
    if (!manager && !actor.orgPath.startsWith(branch.path)) {
      throw new StudyDaysException('STUDY_DAY_NOT_FOUND');
    }
    return { day, branch, manager };
  }

  async managed(
    actor: Actor,
    id: unknown,
  ): Promise<{ day: StudyDayEntity; branch: OrgNodeEntity }> {
    const found = await this.visible(actor, id);
    if (!found.manager) {
      throw new OrganizationsException('ORG_OUT_OF_SCOPE');
    }
    return found;
  }

  async get(actor: Actor, id: string): Promise<StudyDayView> {
    const { day } = await this.visible(actor, id);
    const { holidayShift } = await this.rhythm();
    return toStudyDayView(day, holidayShift.maxDays);
  }

  /**
   * Move, cancel or edit one occurrence; with `applyTo: 'series'`, the series and every later occurrence that was
   * not changed by hand (past meetings are history and never change).
   */
  async update(
    actor: Actor,
    id: string,
    dto: UpdateStudyDayDto,
    ip?: string,
  ): Promise<StudyDayView> {
    const { day, branch } = await this.managed(actor, id);
    const lessonIds = dto.lessonIds ? await this.checkLessons(dto.lessonIds) : undefined;
    const session = await this.attendance.findSession(day.id);
    const timesChange = dto.startsAt !== undefined || dto.endsAt !== undefined;
    if (session?.closedAt && (timesChange || dto.cancelled !== undefined)) {
      throw new StudyDaysException('STUDY_DAY_CLOSED');
    }
    if (dto.cancelled === true && !dto.reason?.trim()) {
      throw new StudyDaysException('REASON_REQUIRED', {}, 'reason');
    }
    const startsAt = dto.startsAt
      ? DateTime.fromISO(dto.startsAt).setZone(day.zone)
      : DateTime.fromJSDate(day.startsAt, { zone: day.zone });
    const endsAt = dto.endsAt
      ? DateTime.fromISO(dto.endsAt).setZone(day.zone)
      : DateTime.fromJSDate(day.endsAt, { zone: day.zone });
    if (timesChange && (endsAt <= startsAt || endsAt.toISODate() !== startsAt.toISODate())) {
      throw new StudyDaysException('STUDY_DAY_TIMES_INVALID', {}, 'endsAt');
    }
    const fields = {
      ...(dto.topic !== undefined ? { topic: dto.topic.trim() } : {}),
      ...(dto.place !== undefined ? { place: dto.place.trim() } : {}),
      ...(dto.agenda !== undefined ? { agenda: dto.agenda } : {}),
      ...(lessonIds !== undefined ? { lessonIds } : {}),
      ...(dto.meetingTypes !== undefined
        ? { meetingTypes: [...new Set<string>(dto.meetingTypes)] }
        : {}),
    };
    const now = this.clock.now();
    await this.tx.run(async (m) => {
      if (dto.applyTo === 'series' && day.seriesId) {
        await this.updateSeries(
          m,
          day,
          fields,
          timesChange
            ? { startTime: startsAt.toFormat('HH:mm'), endTime: endsAt.toFormat('HH:mm') }
            : null,
          now,
        );
      } else {
        const changes: Partial<StudyDayEntity> = {
          ...fields,
          sequence: day.sequence + 1,
          updatedAt: now,
          detached: true,
        };
        if (timesChange) {
          Object.assign(changes, {
            startsAt: startsAt.toUTC().toJSDate(),
            endsAt: endsAt.toUTC().toJSDate(),
            localDate: startsAt.toISODate() as string,
          });
        }
        if (dto.cancelled !== undefined) {
          changes.status = dto.cancelled ? 'cancelled' : 'scheduled';
        }
        if (dto.reason !== undefined) {
          changes.changeReason = dto.reason.trim() || null;
        }
        await m.getRepository(StudyDayEntity).update({ id: day.id }, changes);
        await this.attendance.updateSession(m, day.id, {
          title: changes.topic,
          lessonIds: changes.lessonIds,
          place: changes.place,
          startsAt: changes.startsAt,
          endsAt: changes.endsAt,
          cancelled: dto.cancelled,
        });
      }
      await this.audit.record(
        {
          action: dto.cancelled ? 'study_day.cancel' : 'study_day.update',
          actor,
          targetType: 'study_day',
          targetId: day.id,
          orgId: branch.id,
          ip,
          details: { ...dto },
        },
        m,
      );
    });
    return this.get(actor, id);
  }

  private async updateSeries(
    m: EntityManager,
    from: StudyDayEntity,
    fields: Partial<StudyDayEntity>,
    times: { startTime: string; endTime: string } | null,
    now: Date,
  ): Promise<void> {
    const seriesId = from.seriesId as string;
    await m.getRepository(StudyDaySeriesEntity).update(
      { id: seriesId },
      {
        ...fields,
        ...(times ?? {}),
        updatedAt: now,
      },
    );
    const later = await m
      .getRepository(StudyDayEntity)
      .find({ where: { seriesId, startsAt: MoreThan(now) } });
    const targets = later.filter(
      (d) => d.startsAt.getTime() >= from.startsAt.getTime() && (!d.detached || d.id === from.id),
    );
    const closed = new Set(
      (await Promise.all(targets.map((d) => this.attendance.findSession(d.id))))
        .filter((s) => s?.closedAt)
        .map((s) => s?.id as string),
    );
    for (const d of targets.filter((t) => !closed.has(t.id))) {
      const changes: Partial<StudyDayEntity> = {
        ...fields,
        sequence: d.sequence + 1,
        updatedAt: now,
      };
      if (times) {
        const date = DateTime.fromISO(d.localDate, { zone: d.zone });
        const [sh, sm] = times.startTime.split(':').map(Number);
        const [eh, em] = times.endTime.split(':').map(Number);
        changes.startsAt = date.set({ hour: sh, minute: sm }).toUTC().toJSDate();
        changes.endsAt = date.set({ hour: eh, minute: em }).toUTC().toJSDate();
      }
      await m.getRepository(StudyDayEntity).update({ id: d.id }, changes);
      await this.attendance.updateSession(m, d.id, {
        title: changes.topic,
        lessonIds: changes.lessonIds,
        place: changes.place,
        startsAt: changes.startsAt,
        endsAt: changes.endsAt,
      });
    }
  }

  /** Meetings of several branches in a date range (calendar feeds, regularity, home page). */
  async between(orgIds: string[], from: string, to: string): Promise<StudyDayEntity[]> {
    if (orgIds.length === 0) {
      return [];
    }
    return this.days.find({
      where: { orgId: In(orgIds), localDate: Between(from, to) },
      order: { startsAt: 'ASC' },
    });
  }

  /** The next meeting of a branch that has not ended yet. */
  async next(orgId: string): Promise<StudyDayEntity | null> {
    return this.days.findOne({
      where: { orgId, endsAt: MoreThan(this.clock.now()), status: 'scheduled' },
      order: { startsAt: 'ASC' },
    });
  }

  /** The branches a person belongs to (their org or the branch above their party group). */
  async branchesOf(actor: Actor): Promise<OrgNodeEntity[]> {
    const ids = actor.orgPath.split('/').filter(Boolean);
    const nodes = await Promise.all(ids.map((id) => this.tree.find(id)));
    return nodes.filter((n): n is OrgNodeEntity => n !== null && n.kind === 'branch');
  }
}
