import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { AttendanceClock } from '../attendance/attendance-clock';
import { AttendanceStatus } from '../attendance/attendance-rules';
import { AttendanceService } from '../attendance/attendance.service';
import { newCheckInSecret } from '../attendance/check-in-code';
import { LearningBridge } from '../attendance/learning-bridge';
import { MembershipsService } from '../attendance/memberships.service';
import type { DemoContext } from '../demo/demo.service';
import { MonthlyRule } from './recurrence';
import { StudyDayEntity } from './study-day.entity';
import { StudyDaysService } from './study-days.service';
import { newId } from '../common/ids';

const TOPICS = [
  ['学习党的二十届三中全会精神', '集中学习全会公报，结合社区治理谈体会。'],
  ['重温入党誓词，讲好身边故事', '全体党员重温入党誓词，老党员讲述入党经历。'],
  ['学习《中国共产党纪律处分条例》', '逐条学习重点条款，交流如何守好纪律底线。'],
  ['“我为群众办实事”志愿服务', '分组入户走访独居老人，清理楼道杂物。'],
  ['防汛备汛与应急演练', '学习社区防汛预案，开展转移安置演练。'],
  ['学习《城市居民委员会组织法》', '结合居务公开，讨论居委会依法履职。'],
  ['纪念建党，讲党课', '书记讲专题党课，党员交流学习心得。'],
  ['垃圾分类宣传与楼道清洁', '党员带头入户宣传垃圾分类，划分责任楼栋。'],
  ['民主议事：小区停车难题', '召集居民代表议事，形成停车管理方案。'],
  ['学习平安建设与矛盾调解', '学习调解流程，复盘本月两起邻里纠纷。'],
  ['网格化管理与数据安全', '学习居民信息保护要求，检查台账管理。'],
  ['年终总结与民主评议准备', '回顾全年支部工作，部署组织生活会准备。'],
] as const;

const PLACES = [
  '社区党群服务中心二楼会议室',
  '社区新时代文明实践站',
  '小区红色议事厅',
  '社区老年活动中心',
];
/** Branches whose history has missed months (and which months), so regularity reports have something to show. */
const MISSED: Record<number, string[]> = { 3: ['-02', '-08'], 7: ['-05', '-10'] };

/** Demo history: every branch's monthly study day from January of last year to the end of next month. */
@Injectable()
export class StudyDaysDemo {
  constructor(
    private readonly studyDays: StudyDaysService,
    private readonly attendance: AttendanceService,
    private readonly memberships: MembershipsService,
    private readonly learning: LearningBridge,
    private readonly clock: AttendanceClock,
  ) {}

  async run(ctx: DemoContext): Promise<void> {
    const m = ctx.manager;
    const now = this.clock.now();
    const lessons = (await this.learning.lessonsOfCourse('party-study-day')).map((l) => l.id);
    const byBranch = new Map<string, typeof ctx.people>();
    for (const p of ctx.people) {
      byBranch.set(p.orgId, [...(byBranch.get(p.orgId) ?? []), p]);
    }
    // Members since their hiring day (or since 2020 for long-serving ones), so the cadre owes only from June.
    await this.memberships.insertMany(
      m,
      ctx.people
        .filter((p) => ctx.branches.some((b) => b.id === p.orgId))
        .map((p) => ({
          userId: p.id,
          orgId: p.orgId,
          joinedOn: p.hireDate && p.hireDate > '2020-01-01' ? p.hireDate : '2020-01-01',
          leftOn: null,
        })),
    );

    const history: {
      closed: Array<{ id: string; closedAt: Date }>;
      records: Array<Record<string, unknown>>;
      leaves: Array<Record<string, unknown>>;
      makeUps: Array<Record<string, unknown>>;
    } = { closed: [], records: [], leaves: [], makeUps: [] };
    const minutes: Array<{ id: string; text: string; at: Date }> = [];
    let homeNext: StudyDayEntity | null = null;
    let cadreMissed: StudyDayEntity[] = [];

    for (const [bi, branch] of ctx.branches.entries()) {
      const zoneNow = DateTime.fromJSDate(now, { zone: branch.zone });
      const rule: MonthlyRule =
        bi % 4 === 3 ? { weekday: 'FR', nth: 1 } : { day: [15, 10, 20, 5, 25, 12, 18, 8][bi % 8] };
      const { occurrences } = await this.studyDays.createSeries(m, {
        orgId: branch.id,
        zone: branch.zone,
        rule,
        startTime: bi % 2 === 0 ? '09:00' : '14:30',
        endTime: bi % 2 === 0 ? '11:00' : '16:30',
        from: `${zoneNow.year - 1}-01-01`,
        until: zoneNow.plus({ months: 1 }).endOf('month').toISODate() as string,
        topic: TOPICS[0][0],
        place: PLACES[bi % PLACES.length],
        agenda: '',
        lessonIds: [],
        meetingTypes: ['study_day'],
        createdBy: null,
      });
      const members = byBranch.get(branch.id) ?? [];
      for (const [oi, d] of occurrences.entries()) {
        const month = Number(d.localDate.slice(5, 7));
        const [topic, summary] = TOPICS[(month - 1) % TOPICS.length] as readonly [string, string];
        const types = [
          'study_day',
          ...(month % 3 === 0 ? ['party_lecture', 'general_meeting'] : []),
          ...(month === 1 ? ['org_life_meeting', 'member_appraisal'] : []),
        ];
        const linked = lessons.length > 0 ? [lessons[oi % lessons.length]] : [];
        d.topic = topic;
        d.meetingTypes = types;
        d.lessonIds = linked;
        d.agenda = `1. ${summary}\n2. 交流发言\n3. 书记小结，布置下月工作`;
        await m
          .getRepository(StudyDayEntity)
          .update(
            { id: d.id },
            { topic, meetingTypes: types, lessonIds: linked, agenda: d.agenda },
          );
        await this.attendance.updateSession(m, d.id, { title: topic, lessonIds: linked });
        if (d.endsAt.getTime() > now.getTime()) {
          if (bi === 0 && !homeNext) {
            homeNext = d;
          }
          continue;
        }
        const missed = (MISSED[bi] ?? []).some((suffix) => d.localDate.slice(4, 7) === suffix);
        history.closed.push({ id: d.id, closedAt: d.endsAt });
        if (missed) {
          continue;
        }
        minutes.push({
          id: d.id,
          text: `## 会议记录\n\n- 主题：${topic}\n- ${summary}\n- 应到党员 ${members.length} 人。\n\n书记小结：按时完成本月学习任务，未到党员按要求补学。`,
          at: d.endsAt,
        });
        for (const [pi, p] of members.entries()) {
          const joined = p.hireDate && p.hireDate > '2020-01-01' ? p.hireDate : '2020-01-01';
          if (joined > d.localDate) {
            continue;
          }
          const roll = (oi * 7 + pi * 13 + bi * 3) % 23;
          let status: AttendanceStatus =
            roll === 0 ? 'absent' : roll === 1 ? 'leave' : roll < 5 ? 'late' : 'present';
          if (p.id === ctx.accounts.cadre.id) {
            status = 'present';
          }
          const at = new Date(
            d.startsAt.getTime() + (status === 'late' ? 15 : -10 + (pi % 8)) * 60_000,
          );
          history.records.push({
            id: newId(),
            sessionId: d.id,
            userId: p.id,
            status,
            reason: null,
            recordedBy: status === 'absent' || status === 'leave' ? null : p.id,
            source: status === 'absent' || status === 'leave' ? 'close' : 'code',
            at,
          });
          if (status === 'leave') {
            history.leaves.push({
              id: newId(),
              sessionId: d.id,
              userId: p.id,
              reason: '在街道参加防汛值班',
              state: 'approved',
              decidedBy: ctx.accounts.secretary.id,
              decidedAt: new Date(d.startsAt.getTime() - 86_400_000),
              decisionNote: null,
              createdAt: new Date(d.startsAt.getTime() - 2 * 86_400_000),
            });
          }
          if ((status === 'leave' || status === 'absent') && linked.length > 0) {
            const done = roll % 2 === 0 || d.endsAt.getTime() < now.getTime() - 60 * 86_400_000;
            history.makeUps.push({
              id: newId(),
              sessionId: d.id,
              userId: p.id,
              reason: status,
              lessonIds: linked,
              doneLessonIds: done ? linked : [],
              dueOn: DateTime.fromJSDate(d.endsAt, { zone: branch.zone })
                .plus({ days: 30 })
                .toISODate(),
              doneAt: done ? new Date(d.endsAt.getTime() + 10 * 86_400_000) : null,
              createdAt: d.endsAt,
            });
          }
        }
        if (bi === 0) {
          cadreMissed = [...cadreMissed, d].slice(-2);
        }
      }
    }

    // The demo cadre missed the last two study days: one make-up done, one still open.
    const cadre = ctx.accounts.cadre;
    for (const [i, d] of cadreMissed.entries()) {
      const rec = history.records.find((r) => r.sessionId === d.id && r.userId === cadre.id);
      const status = i === 0 ? 'absent' : 'leave';
      if (rec) {
        Object.assign(rec, { status, source: 'close', recordedBy: null });
      }
      if (status === 'leave') {
        history.leaves.push({
          id: newId(),
          sessionId: d.id,
          userId: cadre.id,
          reason: '孩子发烧，需要在家照顾',
          state: 'approved',
          decidedBy: ctx.accounts.secretary.id,
          decidedAt: new Date(d.startsAt.getTime() - 86_400_000),
          decisionNote: null,
          createdAt: new Date(d.startsAt.getTime() - 2 * 86_400_000),
        });
      }
      if (d.lessonIds.length > 0) {
        const done = i === 0;
        history.makeUps.push({
          id: newId(),
          sessionId: d.id,
          userId: cadre.id,
          reason: status,
          lessonIds: d.lessonIds,
          doneLessonIds: done ? d.lessonIds : [],
          dueOn: DateTime.fromJSDate(now, { zone: d.zone })
            .plus({ days: done ? -5 : 20 })
            .toISODate(),
          doneAt: done ? new Date(d.endsAt.getTime() + 3 * 86_400_000) : null,
          createdAt: d.endsAt,
        });
      }
    }

    await this.attendance.seedHistory(m, history);
    for (let i = 0; i < minutes.length; i += 1) {
      const x = minutes[i];
      await m.getRepository(StudyDayEntity).update(
        { id: x.id },
        {
          minutes: x.text,
          minutesAt: x.at,
          evidence: { plan: true, materials: true, signInSheet: true },
        },
      );
    }
    if (homeNext) {
      // Check-in is already opened on the secretary's next study day, so a demo (or a test) can show codes at once.
      const next = homeNext;
      await this.attendance.updateSession(m, next.id, {
        lessonIds: next.lessonIds.length > 0 ? next.lessonIds : lessons.slice(0, 2),
      });
      await m
        .getRepository(StudyDayEntity)
        .update(
          { id: next.id },
          { lessonIds: next.lessonIds.length > 0 ? next.lessonIds : lessons.slice(0, 2) },
        );
      await this.attendance.openForDemo(m, next.id, newCheckInSecret());
      const asker = (byBranch.get(ctx.branches[0]?.id ?? '') ?? []).find((p) =>
        p.username.startsWith('user'),
      );
      if (asker) {
        await this.attendance.seedHistory(m, {
          closed: [],
          records: [],
          makeUps: [],
          leaves: [
            {
              id: newId(),
              sessionId: next.id,
              userId: asker.id,
              reason: '当天在区里参加网格员培训',
              state: 'pending',
              decidedBy: null,
              decidedAt: null,
              decisionNote: null,
              createdAt: now,
            },
          ],
        });
      }
    }
  }
}
