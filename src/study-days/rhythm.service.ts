import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DateTime } from 'luxon';
import { Between, Repository } from 'typeorm';
import { Actor } from '../common/access/actor';
import { AttendanceClock } from '../attendance/attendance-clock';
import { AttendanceService } from '../attendance/attendance.service';
import { TransactionService } from '../database/transaction.service';
import { OrgNodeEntity } from '../organizations/org-node.entity';
import { OrgTreeService } from '../organizations/org-tree.service';
import { BranchRhythmPolicy, MeetingType } from './branch-rhythm.policy';
import { GenerateRhythmDto } from './dto/study-days.dto';
import { isWithinHolidayShift, MonthlyRule, periodKey, periodsOfYear } from './recurrence';
import { StudyDayRecordsService } from './study-day-records.service';
import { StudyDayEntity } from './study-day.entity';
import { StudyDaysException } from './study-days.exception';
import { StudyDaysService } from './study-days.service';

export interface ObligationView {
  type: MeetingType;
  label: string;
  labelEn: string;
  frequency: string;
  source: string;
  effectiveFrom: string;
  periods: Array<{
    period: string;
    met: boolean;
    planned: number;
    held: number;
    meetingIds: string[];
  }>;
}

export interface RegularityMonth {
  month: string;
  held: boolean;
  obligations: Array<{ type: MeetingType; met: boolean }>;
  attendanceRate: number | null;
  commitmentRate: number | null;
  evidence: Array<{ key: string; present: boolean }>;
}

/** The branch rhythm: generating a year of obligations in one step, and which obligations each period met. */
@Injectable()
export class RhythmService {
  constructor(
    @InjectRepository(StudyDayEntity) private readonly days: Repository<StudyDayEntity>,
    private readonly studyDays: StudyDaysService,
    private readonly records: StudyDayRecordsService,
    private readonly attendance: AttendanceService,
    private readonly tree: OrgTreeService,
    private readonly tx: TransactionService,
    private readonly clock: AttendanceClock,
  ) {}

  /**
   * One study-day series for the year carrying every obligation the policy hosts in the study day (the party
   * lecture of each quarter, the yearly organisational life meeting...), plus a series for each meeting of its own
   * (the branch committee, the hour before). Months already past are not generated.
   */
  async generateYear(
    actor: Actor,
    branchId: string,
    dto: GenerateRhythmDto,
  ): Promise<{ series: number; meetings: number }> {
    const { branch } = await this.studyDays.branchFor(actor, branchId, true);
    const policy = await this.studyDays.rhythm();
    const today = DateTime.fromJSDate(this.clock.now(), { zone: branch.zone })
      .plus({ days: 1 })
      .toISODate() as string;
    const from = `${dto.year}-01-01` > today ? `${dto.year}-01-01` : today;
    const until = `${dto.year}-12-31`;
    if (from > until) {
      throw new StudyDaysException('RECURRENCE_INVALID', { reason: `${dto.year}` }, 'year');
    }
    const existing = await this.days.find({
      where: { orgId: branch.id, localDate: Between(from, until) },
      select: { id: true, meetingTypes: true, seriesId: true },
    });
    if (existing.some((d) => d.seriesId && d.meetingTypes.includes('study_day'))) {
      throw new StudyDaysException('RHYTHM_EXISTS', { year: dto.year });
    }
    const hosted = policy.meetingTypes.filter(
      (t) => t.plan === 'hostedBy' && t.hostedBy === 'study_day',
    );
    const everyMonth = hosted.filter((t) => t.frequency === 'monthly').map((t) => t.type);
    const own = policy.meetingTypes.filter((t) => t.plan === 'own' && t.type !== 'study_day');
    const rule = dto.rule as MonthlyRule;
    const topic = dto.topic?.trim() || '主题党日';
    return this.tx.run(async (m) => {
      const main = await this.studyDays.createSeries(m, {
        orgId: branch.id,
        zone: branch.zone,
        rule,
        startTime: dto.startTime,
        endTime: dto.endTime,
        from,
        until,
        topic,
        place: dto.place,
        agenda: '',
        lessonIds: [],
        meetingTypes: ['study_day', ...everyMonth],
        createdBy: actor.userId,
      });
      for (const occurrence of main.occurrences) {
        const month = Number(occurrence.localDate.slice(5, 7));
        const extra = hosted
          .filter((t) => t.frequency !== 'monthly' && (t.months ?? []).includes(month))
          .map((t) => t.type);
        if (extra.length > 0) {
          await m
            .getRepository(StudyDayEntity)
            .update(
              { id: occurrence.id },
              { meetingTypes: [...occurrence.meetingTypes, ...extra] },
            );
        }
      }
      let series = 1;
      let meetings = main.occurrences.length;
      for (const t of own.filter((x) => x.frequency === 'monthly')) {
        const start = DateTime.fromFormat(dto.startTime, 'HH:mm').minus({
          minutes: t.minutesBefore ?? 60,
        });
        const end = start.plus({ minutes: t.durationMinutes ?? 60 });
        if (
          start.toFormat('yyyy-MM-dd') !==
          DateTime.fromFormat(dto.startTime, 'HH:mm').toFormat('yyyy-MM-dd')
        ) {
          continue;
        }
        const created = await this.studyDays.createSeries(m, {
          orgId: branch.id,
          zone: branch.zone,
          rule,
          startTime: start.toFormat('HH:mm'),
          endTime: end.toFormat('HH:mm'),
          from,
          until,
          topic: t.label,
          place: dto.place,
          agenda: '',
          lessonIds: [],
          meetingTypes: [t.type],
          createdBy: actor.userId,
        });
        series += 1;
        meetings += created.occurrences.length;
      }
      return { series, meetings };
    });
  }

  async obligationsFor(
    actor: Actor,
    branchId: string,
    year: number,
  ): Promise<{
    year: number;
    branch: { id: string; name: string };
    obligations: ObligationView[];
  }> {
    const { branch } = await this.studyDays.branchFor(actor, branchId, false);
    return {
      year,
      branch: { id: branch.id, name: branch.name },
      obligations: await this.obligations(branch, year),
    };
  }

  /**
   * A period's obligation is met by a held meeting of that type. A meeting moved for a holiday within the allowed
   * shift counts for the period of its original date, so moving 31 January to 2 February keeps January met.
   */
  async obligations(branch: OrgNodeEntity, year: number): Promise<ObligationView[]> {
    const policy = await this.studyDays.rhythm();
    const days = await this.studyDays.between(
      [branch.id],
      `${year - 1}-12-20`,
      `${year + 1}-01-10`,
    );
    const evidence = await this.records.evidence(days.map((d) => d.id));
    return policy.meetingTypes.map((t) => {
      const periods = periodsOfYear(t.frequency, year).map((period) => ({
        period,
        met: false,
        planned: 0,
        held: 0,
        meetingIds: [] as string[],
      }));
      for (const d of days) {
        if (!d.meetingTypes.includes(t.type) || d.status === 'cancelled') {
          continue;
        }
        const key = periodKey(t.frequency, this.countingDate(d, policy), branch.zone);
        const period = periods.find((p) => p.period === key);
        if (!period) {
          continue;
        }
        period.planned += 1;
        period.meetingIds.push(d.id);
        if (evidence.get(d.id)?.held) {
          period.held += 1;
          period.met = true;
        }
      }
      return {
        type: t.type,
        label: t.label,
        labelEn: t.labelEn,
        frequency: t.frequency,
        source: t.source,
        effectiveFrom: t.effectiveFrom,
        periods,
      };
    });
  }

  private countingDate(d: StudyDayEntity, policy: BranchRhythmPolicy): Date {
    const original = DateTime.fromISO(d.originalDate, { zone: d.zone })
      .set({ hour: 12 })
      .toJSDate();
    const actual = DateTime.fromISO(d.localDate, { zone: d.zone }).set({ hour: 12 }).toJSDate();
    return isWithinHolidayShift(original, actual, policy.holidayShift.maxDays) ? original : actual;
  }

  /**
   * Branch x month regularity for reports: held, obligations met in that month's periods, attendance and commitment
   * rates of the month's study days, and the evidence of the month's study day.
   */
  async regularity(
    branchIds: string[],
    year: number,
  ): Promise<Array<{ id: string; name: string; path: string; months: RegularityMonth[] }>> {
    const out = [];
    for (const id of branchIds) {
      const branch = await this.tree.get(id);
      const obligations = await this.obligations(branch, year);
      const days = await this.studyDays.between([branch.id], `${year}-01-01`, `${year}-12-31`);
      const evidence = await this.records.evidence(days.map((d) => d.id));
      const months: RegularityMonth[] = [];
      for (let i = 1; i <= 12; i++) {
        const month = `${year}-${String(i).padStart(2, '0')}`;
        const start = DateTime.fromISO(`${month}-01`, { zone: branch.zone });
        const rates = await this.attendance.rates(
          { orgId: branch.id },
          start.toUTC().toJSDate(),
          start.plus({ months: 1 }).toUTC().toJSDate(),
        );
        const studyDay = days.find(
          (d) =>
            d.localDate.startsWith(month) &&
            d.meetingTypes.includes('study_day') &&
            d.status !== 'cancelled',
        );
        const quarter = `${year}-Q${Math.ceil(i / 3)}`;
        months.push({
          month,
          held:
            obligations.find((o) => o.type === 'study_day')?.periods.find((p) => p.period === month)
              ?.met ?? false,
          obligations: obligations.map((o) => ({
            type: o.type,
            met:
              o.periods.find(
                (p) => p.period === month || p.period === quarter || p.period === String(year),
              )?.met ?? false,
          })),
          attendanceRate: rates.attendanceRate,
          commitmentRate: rates.commitmentRate,
          evidence:
            (studyDay ? evidence.get(studyDay.id)?.pieces : undefined)?.map((p) => ({
              key: p.key,
              present: p.present,
            })) ?? [],
        });
      }
      out.push({ id: branch.id, name: branch.name, path: branch.path, months });
    }
    return out;
  }
}
