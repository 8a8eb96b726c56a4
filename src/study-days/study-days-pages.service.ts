import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { Actor, scopeRoots } from '../common/access/actor';
import { Lang, translate } from '../common/i18n/i18n';
import { AttendanceClock } from '../attendance/attendance-clock';
import { AttendanceService } from '../attendance/attendance.service';
import { LearningBridge } from '../attendance/learning-bridge';
import { LeaveService } from '../attendance/leave.service';
import { renderMarkdown } from '../curriculum/markdown-renderer';
import { OrgNodeEntity } from '../organizations/org-node.entity';
import { OrgTreeService } from '../organizations/org-tree.service';
import { OrganizationsException } from '../organizations/organizations.exception';
import { MEETING_TYPES } from './branch-rhythm.policy';
import { ScheduleStudyDayDto } from './dto/study-days.dto';
import { ScheduleFormDto } from './dto/study-day-forms.dto';
import { StudyDayRecordsService } from './study-day-records.service';
import { BRANCH_MANAGERS, StudyDaysService } from './study-days.service';
import { isoIn, toStudyDayView } from './study-days.view';

/** Course whose lessons are offered first when linking lessons to a study day. */
const STUDY_DAY_COURSES = ['party-study-day', 'residents-committee-law', 'door-to-door-mass-work'];

/** View models of the study-day pages; authorisation stays in the services they call. */
@Injectable()
export class StudyDaysPagesService {
  constructor(
    private readonly studyDays: StudyDaysService,
    private readonly records: StudyDayRecordsService,
    private readonly attendance: AttendanceService,
    private readonly leave: LeaveService,
    private readonly learning: LearningBridge,
    private readonly tree: OrgTreeService,
    private readonly clock: AttendanceClock,
  ) {}

  /** The branch a page is about: the one asked for, else the person's own, else the first they manage. */
  async pickBranch(
    actor: Actor,
    requested?: string,
  ): Promise<{
    branch: OrgNodeEntity | null;
    choices: Array<{ id: string; name: string; selected: boolean }>;
  }> {
    const managed = (await this.tree.visible(actor, BRANCH_MANAGERS, 'branch')).slice(0, 300);
    const own = await this.studyDays.branchesOf(actor);
    const all = [...own, ...managed.filter((b) => !own.some((o) => o.id === b.id))];
    const branch = requested ? (all.find((b) => b.id === requested) ?? null) : (all[0] ?? null);
    if (requested && !branch) {
      throw new OrganizationsException('ORG_OUT_OF_SCOPE');
    }
    return {
      branch,
      choices:
        all.length > 1
          ? all.map((b) => ({ id: b.id, name: b.name, selected: b.id === branch?.id }))
          : [],
    };
  }

  async calendarPage(
    actor: Actor,
    lang: Lang,
    query: { branch?: string; month?: string; done?: string },
  ) {
    const { branch, choices } = await this.pickBranch(actor, query.branch);
    if (!branch) {
      return { title: translate(lang, 'studyDays.calendar.title'), noBranch: true };
    }
    const data = await this.studyDays.month(actor, branch.id, query.month);
    const start = DateTime.fromISO(`${data.month}-01`, { zone: branch.zone });
    const ids = data.items.map((i) => i.id);
    const [summaries, evidence, mine] = await Promise.all([
      this.attendance.summaries(ids),
      this.records.evidence(ids),
      this.attendance.statusesOf(actor.userId, ids),
    ]);
    const now = this.clock.now();
    const items = data.items.map((v) => {
      const s = summaries.get(v.id);
      const startsAt = DateTime.fromISO(v.startsAt, { setZone: true });
      return {
        ...v,
        day: startsAt.toFormat('d'),
        weekday: translate(lang, `studyDays.weekday.${startsAt.weekday}`),
        timeRange: `${startsAt.toFormat('HH:mm')}–${DateTime.fromISO(v.endsAt, { setZone: true }).toFormat('HH:mm')}`,
        cancelled: v.status === 'cancelled',
        past: new Date(v.endsAt).getTime() < now.getTime(),
        held: evidence.get(v.id)?.held ?? false,
        attended: s?.attended ?? 0,
        closed: s?.closed ?? false,
        myStatus: mine.get(v.id)?.status ?? null,
        myLeave: mine.get(v.id)?.leave ?? null,
      };
    });
    const base = `/study-days?${choices.length > 0 ? `branch=${branch.id}&` : ''}month=`;
    return {
      title: translate(lang, 'studyDays.calendar.title'),
      branch: { id: branch.id, name: branch.name },
      choices,
      month: data.month,
      monthLabel:
        lang === 'en'
          ? start.setLocale('en-GB').toFormat('LLLL yyyy')
          : start.toFormat('yyyy年M月'),
      prevHref: `${base}${start.minus({ months: 1 }).toFormat('yyyy-MM')}`,
      nextHref: `${base}${start.plus({ months: 1 }).toFormat('yyyy-MM')}`,
      items,
      manager: data.manager,
      done: query.done ?? null,
      form: data.manager ? await this.scheduleForm(start) : null,
    };
  }

  private async scheduleForm(month: DateTime) {
    const courses = await Promise.all(
      STUDY_DAY_COURSES.map((slug) => this.learning.lessonsOfCourse(slug)),
    );
    return {
      date: month.set({ day: 15 }).toISODate(),
      until: month.plus({ months: 11 }).endOf('month').toISODate(),
      meetingTypes: MEETING_TYPES.map((t) => ({ value: t, checked: t === 'study_day' })),
      days: Array.from({ length: 31 }, (_, i) => ({
        value: String(i + 1),
        selected: i + 1 === 15,
      })),
      lessonGroups: courses
        .filter((c) => c.length > 0)
        .map((lessons) => ({ course: lessons[0]?.courseSlug ?? '', lessons })),
    };
  }

  toScheduleDto(form: ScheduleFormDto, zone: string): ScheduleStudyDayDto {
    const date = DateTime.fromISO(form.date, { zone });
    const at = (time: string) =>
      date
        .set({ hour: Number(time.slice(0, 2)), minute: Number(time.slice(3, 5)) })
        .toISO({ suppressMilliseconds: true }) ?? '';
    const dto: ScheduleStudyDayDto = {
      topic: form.topic,
      startsAt: at(form.startTime),
      endsAt: at(form.endTime),
      place: form.place,
      agenda: form.agenda,
      lessonIds: form.lessonIds,
      meetingTypes: (form.meetingTypes ?? ['study_day']).filter(
        (t): t is (typeof MEETING_TYPES)[number] =>
          (MEETING_TYPES as readonly string[]).includes(t),
      ),
    };
    if (form.repeat === 'day') {
      dto.recurrence = { monthly: { day: Number(form.day ?? date.day) } };
    } else if (form.repeat === 'weekday') {
      dto.recurrence = {
        monthly: { weekday: (form.weekday ?? 'FR') as 'FR', nth: Number(form.nth ?? 1) },
      };
    }
    if (dto.recurrence && form.until) {
      dto.until = form.until;
    }
    return dto;
  }

  async detailPage(actor: Actor, lang: Lang, id: string, opts: { projector?: boolean } = {}) {
    const { day, branch, manager } = await this.studyDays.visible(actor, id);
    const policy = await this.studyDays.rhythm();
    const view = toStudyDayView(day, policy.holidayShift.maxDays);
    const session = await this.attendance.findSession(day.id);
    const now = this.clock.now();
    const [lessons, evidence, mine, myLeave, photos] = await Promise.all([
      this.learning.lessonSummaries(day.lessonIds),
      this.records.evidence([day.id]),
      this.attendance.statusesOf(actor.userId, [day.id]),
      this.leave.leaveOf(actor.userId, day.id),
      this.records.listPhotos(actor, day.id),
    ]);
    const roster = manager && session ? await this.attendance.rosterOf(session, branch) : null;
    const member = actor.orgPath.startsWith(branch.path);
    const started = day.startsAt.getTime() <= now.getTime();
    const closed = session?.closedAt !== null && session?.closedAt !== undefined;
    return {
      title: day.topic,
      day: {
        ...view,
        agendaHtml: day.agenda ? renderMarkdown(day.agenda) : '',
        minutesHtml: day.minutes ? renderMarkdown(day.minutes) : '',
        minutes: day.minutes ?? '',
      },
      branch: { id: branch.id, name: branch.name },
      backHref: `/study-days?branch=${branch.id}&month=${day.localDate.slice(0, 7)}`,
      startsAtLocal: isoIn(day.startsAt, day.zone),
      endsAtLocal: isoIn(day.endsAt, day.zone),
      zone: day.zone,
      cancelled: day.status === 'cancelled',
      closed,
      started,
      manager,
      member,
      lessons: lessons.map((l) => ({
        ...l,
        title: lang === 'en' && l.titleEn ? l.titleEn : l.title,
      })),
      myStatus: mine.get(day.id)?.status ?? null,
      myLeave,
      canAskLeave:
        member &&
        !started &&
        !closed &&
        day.status !== 'cancelled' &&
        !myLeave &&
        !mine.get(day.id)?.status,
      canCheckIn:
        member &&
        !closed &&
        day.status !== 'cancelled' &&
        session !== null &&
        now.getTime() >= session.opensAt.getTime() &&
        now.getTime() < session.closesAt.getTime(),
      checkInOpen: session?.checkInSecret !== null && session?.checkInSecret !== undefined,
      canOpenCheckIn:
        manager &&
        !closed &&
        day.status !== 'cancelled' &&
        session !== null &&
        now.getTime() < session.closesAt.getTime(),
      evidence: evidence.get(day.id) ?? null,
      photos,
      roster: roster
        ? {
            ...roster,
            items: roster.items.map((r) => ({
              ...r,
              pendingLeave: r.leave?.state === 'pending' ? r.leave : null,
            })),
            attendanceText:
              roster.rates.attendanceRate === null
                ? '–'
                : `${Math.round(roster.rates.attendanceRate * 100)}%`,
            commitmentText:
              roster.rates.commitmentRate === null
                ? '–'
                : `${Math.round(roster.rates.commitmentRate * 100)}%`,
          }
        : null,
      statuses: ['present', 'late', 'proxy', 'home_visit', 'leave', 'absent'],
      moveDate: DateTime.fromJSDate(day.startsAt, { zone: day.zone }).toISODate(),
      moveStart: DateTime.fromJSDate(day.startsAt, { zone: day.zone }).toFormat('HH:mm'),
      moveEnd: DateTime.fromJSDate(day.endsAt, { zone: day.zone }).toFormat('HH:mm'),
      projector: opts.projector ?? false,
    };
  }

  /** Learners: their next study day and make-ups owed. Secretaries: this month's study day and who owes make-up. */
  async homeSection(actor: Actor): Promise<Record<string, unknown> | null> {
    const branches = await this.studyDays.branchesOf(actor);
    const own = branches[0] ?? null;
    const next = own ? await this.studyDays.next(own.id) : null;
    const makeUps = await this.leave.makeUpsOf(actor.userId, { openOnly: true });
    const managerRoots = scopeRoots(actor, BRANCH_MANAGERS);
    let secretary: Record<string, unknown> | null = null;
    if (managerRoots.length > 0) {
      const managed = (await this.tree.visible(actor, BRANCH_MANAGERS, 'branch')).slice(0, 1);
      const target =
        own && managed.length > 0 && managed.some((b) => b.id === own.id)
          ? own
          : (managed[0] ?? null);
      if (target) {
        const zoneNow = DateTime.fromJSDate(this.clock.now(), { zone: target.zone });
        const month = await this.studyDays.between(
          [target.id],
          zoneNow.startOf('month').toISODate() as string,
          zoneNow.endOf('month').toISODate() as string,
        );
        const studyDay = month.find((d) => d.meetingTypes.includes('study_day')) ?? null;
        const session = studyDay ? await this.attendance.findSession(studyDay.id) : null;
        const roster = session ? await this.attendance.rosterOf(session, target) : null;
        secretary = {
          branch: { id: target.id, name: target.name },
          studyDay: studyDay
            ? {
                id: studyDay.id,
                topic: studyDay.topic,
                startsAt: studyDay.startsAt.toISOString(),
                cancelled: studyDay.status === 'cancelled',
              }
            : null,
          counts: roster?.counts ?? null,
          liable: roster?.items.length ?? 0,
          owed: await this.leave.owedInScope(actor, 10),
        };
      }
    }
    if (!next && makeUps.length === 0 && !secretary) {
      return null;
    }
    return {
      next: next
        ? {
            id: next.id,
            topic: next.topic,
            place: next.place,
            startsAt: next.startsAt.toISOString(),
            meetingTypes: next.meetingTypes,
          }
        : null,
      makeUps,
      secretary,
    };
  }
}
