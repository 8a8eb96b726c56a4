import { Injectable } from '@nestjs/common';
import { In, LessThan } from 'typeorm';
import { AttendanceService } from '../attendance/attendance.service';
import type { DemoContext } from '../demo/demo.service';
import { StudyDayEntity } from '../study-days/study-day.entity';
import { StudyDaysService } from '../study-days/study-days.service';

/** Branches (by index in the demo city) whose committee skipped some months, so amber cells have a cause. */
const COMMITTEE_SKIPPED: Record<number, string[]> = { 5: ['-04', '-09'], 9: ['-03'] };

/**
 * Fills what the regularity report needs beyond the study-day history: the monthly branch committee meeting
 * (held the hour before each study day that took place, with minutes and a ticked sign-in sheet) and the party
 * group meeting the study day hosts, as the rhythm generator would have planned them.
 */
@Injectable()
export class ReportsDemo {
  constructor(
    private readonly studyDays: StudyDaysService,
    private readonly attendance: AttendanceService,
  ) {}

  async run(ctx: DemoContext): Promise<void> {
    const m = ctx.manager;
    const now = new Date();
    const index = new Map(ctx.branches.map((b, i) => [b.id, i]));
    const days = await m.getRepository(StudyDayEntity).find({
      where: { orgId: In(ctx.branches.map((b) => b.id)), startsAt: LessThan(now) },
      order: { startsAt: 'ASC' },
    });
    const studyDays = days.filter(
      (d) => d.meetingTypes.includes('study_day') && d.status !== 'cancelled',
    );
    // The group meeting is held inside the study day (policy: hostedBy study_day).
    for (const d of studyDays) {
      if (!d.meetingTypes.includes('group_meeting')) {
        await m
          .getRepository(StudyDayEntity)
          .update({ id: d.id }, { meetingTypes: [...d.meetingTypes, 'group_meeting'] });
      }
    }
    const closed: Array<{ id: string; closedAt: Date }> = [];
    for (const d of studyDays) {
      const bi = index.get(d.orgId) ?? 0;
      const heldStudyDay = (d.minutes ?? '').trim() !== '';
      const skipped = (COMMITTEE_SKIPPED[bi] ?? []).some((s) => d.localDate.slice(4, 7) === s);
      if (!heldStudyDay || skipped) {
        continue;
      }
      const branch = ctx.branches[bi];
      if (!branch) {
        continue;
      }
      const startsAt = new Date(d.startsAt.getTime() - 60 * 60_000);
      const [meeting] = await this.studyDays.insertOccurrences(
        m,
        {
          orgId: branch.id,
          zone: branch.zone,
          topic: '支部委员会',
          place: d.place,
          agenda: '1. 研究本月主题党日安排\n2. 讨论党员发展和组织关系转接\n3. 其他事项',
          lessonIds: [],
          meetingTypes: ['committee'],
          createdBy: null,
          seriesId: null,
        },
        [{ startsAt, endsAt: d.startsAt, localDate: d.localDate }],
      );
      if (!meeting) {
        continue;
      }
      await m.getRepository(StudyDayEntity).update(
        { id: meeting.id },
        {
          minutes: `## 支部委员会会议记录\n\n- 研究确定本月主题党日：${d.topic}\n- 支委成员全部到会。`,
          minutesAt: d.startsAt,
          evidence: { plan: true, materials: false, signInSheet: true },
        },
      );
      // Closed at once with no roll call: committee attendance is on the paper sheet, not the members' rates.
      closed.push({ id: meeting.id, closedAt: d.startsAt });
    }
    await this.attendance.seedHistory(m, { closed, records: [], leaves: [], makeUps: [] });
  }
}
