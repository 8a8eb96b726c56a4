// The app is imported first, so the modules load in the order the application itself uses.
import { PageClient, startTestApp, TestApp } from './helpers/test-app';
import { DateTime } from 'luxon';
import * as ical from 'node-ical';
import { AttendanceClock } from '../src/attendance/attendance-clock';
import { AttendanceService } from '../src/attendance/attendance.service';
import { codeAt, currentCode } from '../src/attendance/check-in-code';
import { LearningBridge } from '../src/attendance/learning-bridge';
import { SessionsService } from '../src/auth/sessions.service';
import { TransactionService } from '../src/database/transaction.service';
import { OrgTreeService } from '../src/organizations/org-tree.service';
import { UsersService } from '../src/organizations/users.service';
import { sameDayTimes } from './helpers/study-day-times';

const ZONE = 'Asia/Shanghai';

describe('Study days and attendance', () => {
  let t: TestApp;
  let secretary: string;
  let admin: string;
  let cadre: string;
  let homeBranch: string;
  let clock: AttendanceClock;

  const secretOf = async (sessionId: string): Promise<string> => {
    const rows: Array<{ check_in_secret: string }> = await t.dataSource.query(
      t.db === 'postgres'
        ? 'SELECT check_in_secret FROM attendance_sessions WHERE id = $1'
        : 'SELECT check_in_secret FROM attendance_sessions WHERE id = ?',
      [sessionId],
    );
    return rows[0]?.check_in_secret;
  };
  const count = async (sql: string, params: unknown[]): Promise<number> => {
    const q =
      t.db === 'postgres'
        ? sql.replace(/\?/g, (_, i: number) => `$${sql.slice(0, i).split('?').length}`)
        : sql;
    const rows: Array<{ n: string | number }> = await t.dataSource.query(q, params);
    return Number(rows[0]?.n);
  };
  const iso = (dt: DateTime): string =>
    dt.setZone(ZONE).toISO({ suppressMilliseconds: true }) as string;
  const nowLocal = (): DateTime => DateTime.now().setZone(ZONE).startOf('minute');

  beforeAll(async () => {
    t = await startTestApp();
    [secretary, admin, cadre] = await Promise.all([
      t.token('secretary'),
      t.token('admin'),
      t.token('cadre'),
    ]);
    const me = await t.api('GET', '/api/v1/me', { token: cadre });
    homeBranch = me.json.branch.id;
    clock = t.app.get(AttendanceClock);
  }, 120000);
  afterAll(async () => {
    await t.close();
  });
  afterEach(() => {
    clock.offsetMs = 0;
  });

  it('seeds a history for every demo branch and the secretary’s next study day with check-in open', async () => {
    expect(await count('SELECT COUNT(DISTINCT org_id) AS n FROM study_days', [])).toBe(12);
    const month = nowLocal().plus({ months: 1 }).toFormat('yyyy-MM');
    const next = await t.api('GET', `/api/v1/branches/${homeBranch}/study-days?month=${month}`, {
      token: cadre,
    });
    expect(next.status).toBe(200);
    expect(next.json.items.length).toBeGreaterThan(0);
    const makeUps = await t.api('GET', '/api/v1/me/make-ups', { token: cadre });
    expect(makeUps.json.items.filter((m: { done: boolean }) => m.done)).toHaveLength(1);
    expect(makeUps.json.items.filter((m: { done: boolean }) => !m.done)).toHaveLength(1);
  });

  it('a series on the 31st yields 12 occurrences in a year, on the last day of shorter months', async () => {
    const res = await t.api('POST', `/api/v1/branches/${homeBranch}/study-days`, {
      token: secretary,
      body: {
        topic: '月末学习',
        startsAt: '2028-01-31T19:00:00+08:00',
        endsAt: '2028-01-31T20:30:00+08:00',
        place: '会议室',
        recurrence: { monthly: { day: 31 } },
        until: '2028-12-31',
      },
    });
    expect(res.status).toBe(201);
    const dates = res.json.occurrences.map((o: { localDate: string }) => o.localDate);
    expect(dates).toEqual([
      '2028-01-31',
      '2028-02-29',
      '2028-03-31',
      '2028-04-30',
      '2028-05-31',
      '2028-06-30',
      '2028-07-31',
      '2028-08-31',
      '2028-09-30',
      '2028-10-31',
      '2028-11-30',
      '2028-12-31',
    ]);
    expect(res.json.occurrences[1].startsAt).toBe('2028-02-29T19:00:00+08:00');
  });

  it('a first-Friday series is right across a year', async () => {
    const res = await t.api('POST', `/api/v1/branches/${homeBranch}/study-days`, {
      token: secretary,
      body: {
        topic: '第一个星期五',
        startsAt: '2029-01-05T15:00:00+08:00',
        endsAt: '2029-01-05T16:00:00+08:00',
        place: '会议室',
        recurrence: { monthly: { weekday: 'FR', nth: 1 } },
        until: '2029-12-31',
      },
    });
    expect(res.status).toBe(201);
    const dates: string[] = res.json.occurrences.map((o: { localDate: string }) => o.localDate);
    expect(dates).toHaveLength(12);
    for (const d of dates) {
      const day = DateTime.fromISO(d);
      expect(day.weekday).toBe(5);
      expect(day.day).toBeLessThanOrEqual(7);
    }
    expect(dates[0]).toBe('2029-01-05');
    expect(dates[5]).toBe('2029-06-01');
  });

  it('refuses a bad rule, a time without offset and an unknown field with 400', async () => {
    const base = {
      topic: 'x',
      startsAt: '2028-01-10T09:00:00+08:00',
      endsAt: '2028-01-10T10:00:00+08:00',
      place: 'p',
    };
    for (const body of [
      { ...base, recurrence: { monthly: { day: 3, weekday: 'FR', nth: 1 } } },
      { ...base, startsAt: '2028-01-10T09:00:00' },
      { ...base, userId: 'x' },
      { ...base, endsAt: '2028-01-10T08:00:00+08:00' },
    ]) {
      const res = await t.api('POST', `/api/v1/branches/${homeBranch}/study-days`, {
        token: secretary,
        body,
      });
      expect(res.status).toBe(400);
    }
    const cadreTry = await t.api('POST', `/api/v1/branches/${homeBranch}/study-days`, {
      token: cadre,
      body: base,
    });
    expect(cadreTry.status).toBe(403);
  });

  it('200 members checking in at once make exactly 200 records; then 409, 403, 400 and 410', async () => {
    const tree = t.app.get(OrgTreeService);
    const users = t.app.get(UsersService);
    const home = await tree.get(homeBranch);
    const branch = await tree.create(null, {
      kind: 'branch',
      name: '压力测试党支部',
      parentId: home.parentId,
    });
    const people = await t.app.get(TransactionService).run(async (m) => {
      const made = [];
      for (let i = 0; i < 200; i++) {
        made.push(
          await users.insertUser(
            m,
            {
              username: `load${String(i).padStart(3, '0')}`,
              displayName: `党员${i}`,
              orgId: branch.id,
            },
            branch,
            'x'.repeat(60),
            [],
          ),
        );
      }
      return made;
    });
    const sessions = t.app.get(SessionsService);
    const tokens = await Promise.all(
      people.map(async (p) => (await sessions.open(p.id, 'token', null)).secret),
    );

    const { start, end } = sameDayTimes(nowLocal().plus({ minutes: 10 }), 120);
    const created = await t.api('POST', `/api/v1/branches/${branch.id}/study-days`, {
      token: admin,
      body: {
        topic: '全体党员签到测试',
        startsAt: iso(start),
        endsAt: iso(end),
        place: '大礼堂',
      },
    });
    expect(created.status).toBe(201);
    const id: string = created.json.occurrences[0].id;
    const opened = await t.api('POST', `/api/v1/study-days/${id}/check-in-code`, { token: admin });
    expect(opened.status).toBe(200);
    expect(opened.json.code).toMatch(/^\d{6}$/);
    expect(opened.json.qrSvg).toContain('<svg');
    expect(new Date(opened.json.expiresAt).getTime()).toBeGreaterThan(Date.now());
    const secret = await secretOf(id);

    const code = currentCode(secret, new Date()).code;
    const results = await Promise.all(
      tokens.map((token) =>
        t.api('POST', `/api/v1/study-days/${id}/check-in`, { token, body: { code } }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(200).fill(201));
    expect(results[0]?.json.status).toBe('present');
    expect(
      await count('SELECT COUNT(*) AS n FROM attendance_records WHERE session_id = ?', [id]),
    ).toBe(200);

    const again = await t.api('POST', `/api/v1/study-days/${id}/check-in`, {
      token: tokens[0],
      body: { code: currentCode(secret, new Date()).code },
    });
    expect(again.status).toBe(409);
    expect(again.json.error).toBe('ALREADY_CHECKED_IN');

    const outsider = await t.api('POST', `/api/v1/study-days/${id}/check-in`, {
      token: cadre,
      body: { code: currentCode(secret, new Date()).code },
    });
    expect(outsider.status).toBe(403);

    // A fresh member with an expired code (two minutes old) is refused with a clear 400.
    const late = await t.app
      .get(TransactionService)
      .run((m) =>
        users.insertUser(
          m,
          { username: 'loadlate', displayName: '迟到者', orgId: branch.id },
          branch,
          'x'.repeat(60),
          [],
        ),
      );
    const lateToken = (await sessions.open(late.id, 'token', null)).secret;
    const expired = await t.api('POST', `/api/v1/study-days/${id}/check-in`, {
      token: lateToken,
      body: { code: codeAt(secret, new Date(Date.now() - 120_000)) },
    });
    expect(expired.status).toBe(400);
    expect(expired.json.error).toBe('CODE_INVALID');
    // Guessing is throttled: after 5 wrong codes in a minute the person gets 429.
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      statuses.push(
        (
          await t.api('POST', `/api/v1/study-days/${id}/check-in`, {
            token: lateToken,
            body: { code: '000000' },
          })
        ).status,
      );
    }
    const throttled = await t.api('POST', `/api/v1/study-days/${id}/check-in`, {
      token: lateToken,
      body: { code: currentCode(secret, new Date()).code },
    });
    expect(throttled.status).toBe(429);

    // Twelve minutes after the start the same code rule says late; after the end the window is closed.
    const other = await t.app
      .get(TransactionService)
      .run((m) =>
        users.insertUser(
          m,
          { username: 'loadlater', displayName: '晚到者', orgId: branch.id },
          branch,
          'x'.repeat(60),
          [],
        ),
      );
    const otherToken = (await sessions.open(other.id, 'token', null)).secret;
    clock.offsetMs = 25 * 60_000;
    const lateArrival = await t.api('POST', `/api/v1/study-days/${id}/check-in`, {
      token: otherToken,
      body: { code: currentCode(secret, clock.now()).code },
    });
    expect(lateArrival.status).toBe(201);
    expect(lateArrival.json.status).toBe('late');
    clock.offsetMs = 3 * 3600_000;
    const closed = await t.api('POST', `/api/v1/study-days/${id}/check-in`, {
      token: lateToken,
      body: { code: currentCode(secret, clock.now()).code },
    });
    expect(closed.status).toBe(410);
    expect(
      await count('SELECT COUNT(*) AS n FROM attendance_records WHERE session_id = ?', [id]),
    ).toBe(201);
    // The sweep closes it by itself after the end; members who never came are then absent.
    expect(await t.app.get(AttendanceService).sweep()).toBeGreaterThanOrEqual(1);
    expect(
      await count(
        "SELECT COUNT(*) AS n FROM attendance_records WHERE session_id = ? AND status = 'absent'",
        [id],
      ),
    ).toBe(1);
  }, 120000);

  it('after closing, absentees and approved-leave members owe the linked lessons, and completing them clears it', async () => {
    const lessons = await t.app.get(LearningBridge).lessonsOfCourse('party-study-day');
    expect(lessons.length).toBeGreaterThan(1);
    const linked = lessons.slice(0, 2).map((l) => l.id);
    const { start, end } = sameDayTimes(nowLocal().plus({ hours: 1 }), 60);
    const created = await t.api('POST', `/api/v1/branches/${homeBranch}/study-days`, {
      token: secretary,
      body: {
        topic: '补学测试',
        startsAt: iso(start),
        endsAt: iso(end),
        place: '会议室',
        lessonIds: linked,
        meetingTypes: ['study_day', 'party_lecture'],
      },
    });
    expect(created.status).toBe(201);
    const id: string = created.json.occurrences[0].id;

    const leave = await t.api('POST', `/api/v1/study-days/${id}/leave`, {
      token: cadre,
      body: { reason: '孩子生病需要照顾' },
    });
    expect(leave.status).toBe(201);
    const approve = await t.api('POST', `/api/v1/leave-requests/${leave.json.id}/approve`, {
      token: secretary,
      body: {},
    });
    expect(approve.status).toBe(200);
    expect(approve.json.state).toBe('approved');
    const cadreApproves = await t.api('POST', `/api/v1/leave-requests/${leave.json.id}/reject`, {
      token: cadre,
      body: {},
    });
    expect(cadreApproves.status).toBe(403);

    await t.api('POST', `/api/v1/study-days/${id}/check-in-code`, { token: secretary });
    const secret = await secretOf(id);
    clock.offsetMs = 60 * 60_000;
    const user1 = await t.token('user001');
    const checked = await t.api('POST', '/api/v1/check-in', {
      token: user1,
      body: { code: currentCode(secret, clock.now()).code },
    });
    expect(checked.status).toBe(201);
    expect(checked.json.sessionId).toBe(id);
    // The secretary records a home visit for a member who cannot come, with a reason (audited).
    const user2 = (await t.api('GET', '/api/v1/me', { token: await t.token('user002') })).json.id;
    const visit = await t.api('POST', `/api/v1/study-days/${id}/attendance`, {
      token: secretary,
      body: { userId: user2, status: 'home_visit', reason: '行动不便，上门送学' },
    });
    expect(visit.status).toBe(201);
    expect(
      await count(
        "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'attendance.record' AND target_id = ?",
        [visit.json.id],
      ),
    ).toBe(1);

    const close = await t.api('POST', `/api/v1/study-days/${id}/close`, { token: secretary });
    expect(close.status).toBe(200);
    expect(close.json.leave).toBe(1);
    expect(close.json.absent).toBeGreaterThan(0);
    const roster = await t.api('GET', `/api/v1/study-days/${id}/attendance`, { token: secretary });
    expect(roster.status).toBe(200);
    const cadreRow = roster.json.items.find((r: { username: string }) => r.username === 'cadre');
    expect(cadreRow.status).toBe('leave');
    expect(roster.json.counts.present + roster.json.counts.home_visit).toBe(2);
    expect(roster.json.rates.liable).toBe(roster.json.items.length);
    expect(
      await t.api('GET', `/api/v1/study-days/${id}/attendance`, { token: cadre }),
    ).toMatchObject({ status: 403 });

    const owed = (await t.api('GET', '/api/v1/me/make-ups', { token: cadre })).json.items.find(
      (m: { sessionId: string }) => m.sessionId === id,
    );
    expect(owed).toMatchObject({ done: false, reason: 'leave' });
    expect(owed.lessons.map((l: { id: string }) => l.id)).toEqual(linked);

    clock.offsetMs = 0;
    const enrol = await t.api('POST', '/api/v1/courses/party-study-day/enrol', {
      token: cadre,
      body: {},
    });
    expect([200, 201, 409]).toContain(enrol.status);
    for (const lessonId of linked) {
      const done = await t.api('POST', `/api/v1/lessons/${lessonId}/complete`, {
        token: cadre,
        body: {},
      });
      expect([200, 201]).toContain(done.status);
    }
    const after = (await t.api('GET', '/api/v1/me/make-ups', { token: cadre })).json.items.find(
      (m: { sessionId: string }) => m.sessionId === id,
    );
    expect(after.done).toBe(true);
  }, 60000);

  it('moves and cancels with a reason, and feeds an iCalendar that a real parser reads in local time', async () => {
    const created = await t.api('POST', `/api/v1/branches/${homeBranch}/study-days`, {
      token: secretary,
      body: {
        topic: '日历测试',
        startsAt: '2027-03-14T09:00:00+08:00',
        endsAt: '2027-03-14T11:00:00+08:00',
        place: '党群服务中心',
        recurrence: { monthly: { day: 14 } },
        until: '2027-06-30',
      },
    });
    const [first, second] = created.json.occurrences as Array<{ id: string }>;
    const moved = await t.api('PUT', `/api/v1/study-days/${second?.id}`, {
      token: secretary,
      body: {
        startsAt: '2027-04-16T14:00:00+08:00',
        endsAt: '2027-04-16T16:00:00+08:00',
        reason: '清明节顺延',
      },
    });
    expect(moved.status).toBe(200);
    expect(moved.json).toMatchObject({
      localDate: '2027-04-16',
      originalDate: '2027-04-14',
      regular: true,
      sequence: 1,
    });
    expect(
      (
        await t.api('PUT', `/api/v1/study-days/${first?.id}`, {
          token: secretary,
          body: { cancelled: true },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await t.api('PUT', `/api/v1/study-days/${first?.id}`, {
          token: secretary,
          body: { cancelled: true, reason: '疫情防控' },
        })
      ).json.status,
    ).toBe('cancelled');

    const link = await t.api('POST', `/api/v1/branches/${homeBranch}/calendar-token`, {
      token: secretary,
    });
    expect(link.status).toBe(201);
    const path = new URL(link.json.url).pathname + new URL(link.json.url).search;
    const feed = await t.api('GET', path);
    expect(feed.status).toBe(200);
    expect(feed.headers.get('content-type')).toContain('text/calendar');
    const parsed = ical.sync.parseICS(feed.text);
    const events = Object.values(parsed).filter((e): e is ical.VEvent => e?.type === 'VEVENT');
    const movedEvent = events.find((e) => e.uid === `${second?.id}@cadre-academy`) as ical.VEvent;
    expect(DateTime.fromJSDate(movedEvent.start, { zone: ZONE }).toFormat('yyyy-MM-dd HH:mm')).toBe(
      '2027-04-16 14:00',
    );
    expect(Number(movedEvent.sequence)).toBe(1);
    const cancelled = events.find((e) => e.uid === `${first?.id}@cadre-academy`) as ical.VEvent;
    expect(cancelled.status).toBe('CANCELLED');
    expect(DateTime.fromJSDate(cancelled.start, { zone: ZONE }).toFormat('HH:mm')).toBe('09:00');

    // A person's own feed by its link; revoking the branch link stops it.
    const mine = await t.api('POST', '/api/v1/me/calendar-token', { token: cadre });
    const minePath = new URL(mine.json.url).pathname + new URL(mine.json.url).search;
    expect((await t.api('GET', minePath)).status).toBe(200);
    await t.api('DELETE', `/api/v1/branches/${homeBranch}/calendar-token`, { token: secretary });
    expect((await t.api('GET', path)).status).toBe(404);
    expect((await t.api('GET', `/api/v1/branches/${homeBranch}/calendar.ics`)).status).toBe(404);
  });

  it('serves the pages: month list on a phone, detail with roster for the secretary, projector and check-in form', async () => {
    const page = new PageClient(t.url);
    await page.signIn('secretary');
    const calendar = await page.get('/study-days');
    expect(calendar.status).toBe(200);
    expect(calendar.text).toContain('sd-list');
    // The demo opens check-in on the branch's next regular study day: this month's or next month's, by today's
    // date (days the tests above scheduled are not in a series).
    const opened: Array<{ id: string; local_date: string }> = await t.dataSource.query(
      'SELECT s.id, s.local_date FROM attendance_sessions s JOIN study_days d ON d.id = s.id' +
        ` WHERE d.org_id = ${t.db === 'postgres' ? '$1' : '?'} AND d.series_id IS NOT NULL` +
        ' AND s.check_in_secret IS NOT NULL ORDER BY s.starts_at LIMIT 1',
      [homeBranch],
    );
    const month = opened[0].local_date.slice(0, 7);
    const next = await page.get(`/study-days?month=${month}&branch=${homeBranch}`);
    const id = opened[0].id;
    expect(next.text).toContain(`href="/study-days/${id}"`);
    const detail = await page.get(`/study-days/${id}`);
    expect(detail.status).toBe(200);
    expect(detail.text).toContain('id="roster"');
    const projector = await page.get(`/study-days/${id}/projector`);
    expect(projector.status).toBe(200);
    expect(projector.text).toContain('http-equiv="refresh"');
    expect(projector.text).toMatch(/class="sd-code"[^>]*>\d{6}</);

    const member = new PageClient(t.url);
    await member.signIn('cadre');
    const form = await member.get('/check-in?code=123456&s=' + id);
    expect(form.text).toContain('inputmode="numeric"');
    const wrong = await member.post('/check-in', {
      code: '12',
      s: id,
      _csrf: PageClient.csrf(form.text),
    });
    expect([400, 409]).toContain(wrong.status);
    expect(wrong.text).toContain('alert error');
    const home = await member.get('/');
    expect(home.text).toContain('home-sd');
  });
});
