// The app is imported first, so the modules load in the order the application itself uses.
import { ApiResponse, PageClient, startTestApp, TestApp } from '../helpers/test-app';
import { DateTime } from 'luxon';
import { randomUUID } from 'node:crypto';
import { AttendanceClock } from '../../src/attendance/attendance-clock';
import { AttendanceService } from '../../src/attendance/attendance.service';
import { codeAt, currentCode } from '../../src/attendance/check-in-code';
import { OrgNodeEntity } from '../../src/organizations/org-node.entity';
import { OrgTreeService } from '../../src/organizations/org-tree.service';
import { BOOT_TIMEOUT, count, FiveHundredGuard, makePerson, orgByName, sql } from './support';
import { sameDayTimes } from '../helpers/study-day-times';

/**
 * SECURITY-TESTS.md 53-62: check-in integrity over real HTTP, with the attendance rows read before and after.
 * Time is moved with the attendance clock (AttendanceClock.offsetMs), never by waiting. Covered elsewhere and not
 * repeated: one row per person under concurrent check-ins (concurrency.e2e-spec.ts, 55 and 86), the basic
 * 201/409/403/400/410 answers and five wrong codes from one person on one endpoint (study-days.e2e-spec.ts).
 * Every case runs in a branch of its own, so no case sees another's sessions.
 */
const ZONE = 'Asia/Shanghai';

interface Member {
  id: string;
  token: string;
  username: string;
}

interface Session {
  id: string;
  secret: string;
  opensAt: Date;
  closesAt: Date;
  checkInUrl: string;
}

describe('Attendance integrity (SECURITY-TESTS.md 53-62)', () => {
  let t: TestApp;
  const guard = new FiveHundredGuard();
  let api: TestApp['api'];
  let admin: string;
  let community: string;
  let clock: AttendanceClock;
  let made = 0;
  /** Demo accounts user050... are taken one by one for page sign-ins. */
  let demo = 49;

  const iso = (dt: DateTime): string =>
    dt.setZone(ZONE).toISO({ suppressMilliseconds: true }) as string;
  /** Moves the attendance clock so that it reads `ms` now (and runs on from there). */
  const at = (ms: number): void => {
    clock.offsetMs = ms - Date.now();
  };
  const code = (s: Session): string => currentCode(s.secret, clock.now()).code;

  const branch = async (label: string): Promise<OrgNodeEntity> => {
    made += 1;
    return t.app
      .get(OrgTreeService)
      .create(null, { kind: 'branch', name: `${label}${made}党支部`, parentId: community });
  };

  const member = async (org: OrgNodeEntity, roles: Array<'secretary'> = []): Promise<Member> => {
    made += 1;
    const username = `ai${made}_${Date.now().toString(36)}`;
    return { ...(await makePerson(t, username, org, roles)), username };
  };

  /**
   * A member who can also sign in on the pages: a demo account (known password) moved into `org` by the admin, as a
   * transfer between branches would.
   */
  const pageMember = async (org: OrgNodeEntity): Promise<Member & { page: PageClient }> => {
    demo += 1;
    const username = `user0${demo}`;
    const token = await t.token(username);
    const id = (await api('GET', '/api/v1/me', { token })).json.id as string;
    const moved = await api('PATCH', `/api/v1/users/${id}`, {
      token: admin,
      body: { orgId: org.id },
    });
    expect(moved.status).toBe(200);
    const page = guard.pages(t);
    expect((await page.signIn(username)).status).toBe(303);
    return { id, token: await t.token(username), username, page };
  };

  /** A study day of `org` starting in `startsIn` minutes (on the attendance clock), check-in opened by the admin. */
  const schedule = async (org: OrgNodeEntity, startsIn: number, minutes = 60): Promise<Session> => {
    const { start, end } = sameDayTimes(
      DateTime.fromJSDate(clock.now(), { zone: ZONE })
        .startOf('minute')
        .plus({ minutes: startsIn }),
      minutes,
    );
    const res = await api('POST', `/api/v1/branches/${org.id}/study-days`, {
      token: admin,
      body: {
        topic: '签到完整性',
        startsAt: iso(start),
        endsAt: iso(end),
        place: '党群服务中心',
      },
    });
    expect(res.status).toBe(201);
    const id = res.json.occurrences[0].id as string;
    const opened = await api('POST', `/api/v1/study-days/${id}/check-in-code`, { token: admin });
    expect(opened.status).toBe(200);
    const [row] = await sql<{ check_in_secret: string; opens_at: string; closes_at: string }>(
      t,
      'SELECT check_in_secret, opens_at, closes_at FROM attendance_sessions WHERE id = ?',
      [id],
    );
    return {
      id,
      secret: row?.check_in_secret,
      opensAt: new Date(row?.opens_at),
      closesAt: new Date(row?.closes_at),
      checkInUrl: opened.json.checkInUrl as string,
    };
  };

  const checkIn = (
    who: Member,
    sessionId: string,
    body: Record<string, unknown>,
    lang?: 'en',
  ): Promise<ApiResponse> =>
    api('POST', `/api/v1/study-days/${sessionId}/check-in`, {
      token: who.token,
      body,
      headers: lang ? { 'accept-language': lang } : undefined,
    });

  const rows = (sessionId: string) =>
    sql<{ user_id: string; status: string; source: string; recorded_by: string | null }>(
      t,
      'SELECT user_id, status, source, recorded_by FROM attendance_records WHERE session_id = ? ORDER BY user_id',
      [sessionId],
    );
  const rowCount = (sessionId: string) =>
    count(t, 'SELECT COUNT(*) AS n FROM attendance_records WHERE session_id = ?', [sessionId]);

  beforeAll(async () => {
    t = await startTestApp();
    api = guard.wrap(t);
    admin = await t.token('admin');
    community = (await orgByName(t, '阳光社区第一党支部')).parentId as string;
    clock = t.app.get(AttendanceClock);
  }, BOOT_TIMEOUT);

  afterEach(() => {
    clock.offsetMs = 0;
  });

  afterAll(async () => {
    clock.offsetMs = 0;
    await t?.close();
    expect(guard.seen).toEqual([]);
  });

  it('53, 60: refuses check-in before the window, at and after its end, and at a cancelled or closed meeting, with a reason and no row; the client’s clock is ignored', async () => {
    const org = await branch('时间窗');
    const s = await schedule(org, 120);
    const [early, first, last, atEnd, after] = await Promise.all(
      Array.from({ length: 5 }, () => member(org)),
    );

    // Just before the window opens (5 s: room for a slow machine): 409 with the reason, in Chinese by default and
    // in English on request.
    at(s.opensAt.getTime() - 5000);
    const before = await checkIn(early, s.id, { code: code(s) });
    expect(before.status).toBe(409);
    expect(before.json.error).toBe('CHECK_IN_NOT_STARTED');
    expect(before.json.message).toContain('签到还没有开始');
    const beforeEn = await checkIn(early, s.id, { code: code(s) }, 'en');
    expect(beforeEn.json.message).toMatch(/has not started/);
    const anyBefore = await api('POST', '/api/v1/check-in', {
      token: early.token,
      body: { code: code(s) },
    });
    expect(anyBefore.status).toBe(404);
    expect(anyBefore.json.error).toBe('NO_OPEN_SESSION');
    expect(await rowCount(s.id)).toBe(0);

    // The start is inclusive, the end exclusive (UTC instants on the server's clock).
    at(s.opensAt.getTime());
    const atOpen = await checkIn(first, s.id, { code: code(s) });
    expect(atOpen.status).toBe(201);
    expect(atOpen.json.status).toBe('present');
    at(s.closesAt.getTime() - 5000);
    const beforeEnd = await checkIn(last, s.id, { code: code(s) });
    expect(beforeEnd.status).toBe(201);
    expect(beforeEnd.json.status).toBe('late');
    at(s.closesAt.getTime());
    const closing = await checkIn(atEnd, s.id, { code: code(s) });
    expect(closing.status).toBe(410);
    expect(closing.json.error).toBe('CHECK_IN_CLOSED');
    at(s.closesAt.getTime() + 1000);
    // A device clock or a timestamp saying "still open" changes nothing (60): the header is ignored, the field refused.
    const stillOpen = new Date(s.closesAt.getTime() - 600_000).toISOString();
    const late = await api('POST', `/api/v1/study-days/${s.id}/check-in`, {
      token: after.token,
      body: { code: code(s) },
      headers: { 'accept-language': 'en', 'x-client-time': stillOpen, date: stillOpen },
    });
    expect(late.status).toBe(410);
    expect(late.json.message).toBe('Check-in has closed.');
    for (const extra of [{ timestamp: stillOpen }, { lat: 39.9, lng: 116.4 }, { at: stillOpen }]) {
      const res = await checkIn(after, s.id, { code: code(s), ...extra });
      expect(res.status).toBe(400);
      expect(res.json.error).toBe('UNKNOWN_FIELD');
    }
    const anyAfter = await api('POST', '/api/v1/check-in', {
      token: after.token,
      body: { code: code(s) },
    });
    expect(anyAfter.json.error).toBe('NO_OPEN_SESSION');
    // (The sweep may have closed the meeting meanwhile and marked the others absent: only check-ins count here.)
    expect(
      (await rows(s.id))
        .filter((r) => r.source === 'code')
        .map((r) => r.user_id)
        .sort(),
    ).toEqual([first.id, last.id].sort());

    // A cancelled meeting and one the secretary closed early: 410 with their own reason; no check-in row.
    clock.offsetMs = 0;
    const cancelled = await schedule(org, 10);
    const closed = await schedule(org, 20);
    const cancel = await api('PUT', `/api/v1/study-days/${cancelled.id}`, {
      token: admin,
      body: { cancelled: true, reason: '台风预警，改期举行' },
    });
    expect(cancel.status).toBe(200);
    expect(
      (await api('POST', `/api/v1/study-days/${closed.id}/close`, { token: admin })).status,
    ).toBe(200);
    const other = await member(org);
    const toCancelled = await checkIn(other, cancelled.id, { code: code(cancelled) }, 'en');
    expect(toCancelled.status).toBe(410);
    expect(toCancelled.json.error).toBe('SESSION_CANCELLED');
    expect(toCancelled.json.message).toBe('This session was cancelled.');
    const toClosed = await checkIn(other, closed.id, { code: code(closed) });
    expect(toClosed.status).toBe(410);
    expect(toClosed.json.error).toBe('CHECK_IN_CLOSED');
    expect(await rowCount(cancelled.id)).toBe(0);
    expect(
      await count(
        t,
        "SELECT COUNT(*) AS n FROM attendance_records WHERE session_id = ? AND source = 'code'",
        [closed.id],
      ),
    ).toBe(0);
    expect(
      (await api('POST', `/api/v1/study-days/${cancelled.id}/check-in-code`, { token: admin }))
        .status,
    ).toBe(410);
  });

  it('54: checks in only the signed-in person: a userId (or any other extra field) is refused on the API and the form', async () => {
    const org = await branch('本人签到');
    const s = await schedule(org, 10);
    const me = await pageMember(org);
    const someoneElse = await member(org);
    for (const body of [
      { code: code(s), userId: someoneElse.id },
      { code: code(s), user_id: someoneElse.id },
      { code: code(s), recordedBy: someoneElse.id },
      { code: code(s), status: 'present', source: 'secretary' },
    ]) {
      const res = await checkIn(me, s.id, body);
      expect(res.status).toBe(400);
      expect(res.json.error).toBe('UNKNOWN_FIELD');
      const any = await api('POST', '/api/v1/check-in', { token: me.token, body });
      expect(any.status).toBe(400);
    }
    const proto = await api('POST', `/api/v1/study-days/${s.id}/check-in`, {
      token: me.token,
      raw: `{"code":"${code(s)}","__proto__":{"userId":"${someoneElse.id}"}}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(proto.status).toBe(400);
    // The form with the other person's id in a hidden field.
    const form = await me.page.get(`/check-in?s=${s.id}`);
    expect(form.status).toBe(200);
    const hidden = await me.page.post('/check-in', {
      _csrf: PageClient.csrf(form.text),
      s: s.id,
      code: code(s),
      userId: someoneElse.id,
    });
    expect(hidden.status).toBe(400);
    expect(await rowCount(s.id)).toBe(0);
    // Without the extra field the same form checks in the signed-in person, and only them.
    const done = await me.page.post('/check-in', {
      _csrf: PageClient.csrf(form.text),
      s: s.id,
      code: code(s),
    });
    expect(done.status).toBe(201);
    expect(await rows(s.id)).toEqual([
      { user_id: me.id, status: 'present', source: 'code', recorded_by: me.id },
    ]);
  });

  it('56: only the current code and the documented previous step are accepted; older, future, yesterday’s and another meeting’s codes are not', async () => {
    const org = await branch('轮换码');
    const s = await schedule(org, 10);
    const other = await schedule(org, 15);
    const { checkIn: policy } = await t.app.get(AttendanceService).policyNumbers();
    const step = policy.codeStepSeconds * 1000;
    // Pin the clock to the middle of a step: nothing rotates between making a code and sending it.
    at(Math.floor(Date.now() / step) * step + step / 2);
    const now = clock.now().getTime();
    const stepCode = (n: number) => codeAt(s.secret, new Date(now + n * step));
    const accepted = [stepCode(0), stepCode(-policy.acceptPreviousSteps)];
    const refused: Array<[string, string]> = [
      ['one step too old', stepCode(-policy.acceptPreviousSteps - 1)],
      ['the next step', stepCode(1)],
      ['yesterday', codeAt(s.secret, new Date(now - 86_400_000))],
      ['another meeting’s current code', currentCode(other.secret, new Date(now)).code],
    ];
    expect(refused.filter(([, c]) => accepted.includes(c))).toEqual([]);
    const guesser = await member(org);
    for (const [label, wrong] of refused) {
      const res = await checkIn(guesser, s.id, { code: wrong });
      expect([label, res.status, res.json.error, res.json.field]).toEqual([
        label,
        400,
        'CODE_INVALID',
        'code',
      ]);
    }
    expect(await rowCount(s.id)).toBe(0);
    const [current, previous] = await Promise.all([member(org), member(org)]);
    expect((await checkIn(current, s.id, { code: accepted[0] })).status).toBe(201);
    expect((await checkIn(previous, s.id, { code: accepted[1] })).status).toBe(201);
    // The other meeting's code is good for that meeting only.
    expect((await checkIn(current, other.id, { code: refused[3]?.[1] })).status).toBe(201);
    expect((await rows(s.id)).map((r) => r.user_id).sort()).toEqual(
      [current.id, previous.id].sort(),
    );
  });

  it('57: guessing is throttled per person across every check-in route, and per meeting across people', async () => {
    const org = await branch('猜码');
    const a = await schedule(org, 10);
    const b = await schedule(org, 20);
    const { checkIn: policy } = await t.app.get(AttendanceService).policyNumbers();
    const wrong = (s: Session) => String((Number(code(s)) + 500_000) % 1_000_000).padStart(6, '0');

    // One person: wrong codes on the meeting route, the code-only route and the form add up.
    const p = await pageMember(org);
    const form = await p.page.get('/check-in');
    const tries: ApiResponse[] = [];
    for (let i = 0; i < policy.wrongCodesPerMinute; i++) {
      tries.push(
        i % 3 === 0
          ? await checkIn(p, a.id, { code: wrong(a) })
          : i % 3 === 1
            ? await api('POST', '/api/v1/check-in', { token: p.token, body: { code: wrong(a) } })
            : await p.page.post('/check-in', {
                _csrf: PageClient.csrf(form.text),
                s: b.id,
                code: wrong(b),
              }),
      );
    }
    expect(tries.map((r) => r.status)).toEqual(Array(policy.wrongCodesPerMinute).fill(400));
    const blocked = [
      await checkIn(p, b.id, { code: code(b) }, 'en'),
      await api('POST', '/api/v1/check-in', { token: p.token, body: { code: code(a) } }),
      await p.page.post('/check-in', { _csrf: PageClient.csrf(form.text), s: a.id, code: code(a) }),
    ];
    expect(blocked.map((r) => r.status)).toEqual([429, 429, 429]);
    expect(blocked[0]?.json.error).toBe('RATE_LIMITED');
    expect(blocked[0]?.json.message).toMatch(/Try again in \d+ seconds/);
    for (const r of blocked) {
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(blocked[2]?.text).toContain('alert error');
    expect(await rowCount(a.id)).toBe(0);
    expect(await rowCount(b.id)).toBe(0);

    // Many people at one meeting: once it has had its budget of wrong codes in a minute, those who typed a wrong
    // code are refused even with the right one; a member's first try still goes through, so guessers cannot lock
    // the branch out.
    const budget = policy.wrongCodesPerSessionPerMinute;
    const target = await schedule(org, 30);
    const perPerson = Math.max(1, policy.wrongCodesPerMinute - 2);
    const guessers = await Promise.all(
      Array.from({ length: Math.ceil(budget / perPerson) }, () => member(org)),
    );
    let sent = 0;
    for (const g of guessers) {
      for (let i = 0; i < perPerson && sent < budget; i++, sent++) {
        expect((await checkIn(g, target.id, { code: wrong(target) })).status).toBe(400);
      }
    }
    const refused = await checkIn(guessers[0], target.id, { code: code(target) });
    expect(refused.status).toBe(429);
    expect(refused.json.error).toBe('TOO_MANY_WRONG_CODES');
    expect(refused.json.message).toContain('签到码');
    const refusedEn = await checkIn(guessers[1], target.id, { code: code(target) }, 'en');
    expect(refusedEn.json.message).toMatch(/wrong codes/);
    expect(Number(refusedEn.headers.get('retry-after'))).toBeGreaterThan(0);
    const honest = await member(org);
    expect((await checkIn(honest, target.id, { code: code(target) })).status).toBe(201);
    const newcomer = await member(org);
    expect((await checkIn(newcomer, target.id, { code: wrong(target) })).status).toBe(400);
    expect((await checkIn(newcomer, target.id, { code: code(target) })).status).toBe(429);
    // The budget is the meeting's: the same guessers check in at another meeting.
    expect((await checkIn(guessers[0], b.id, { code: code(b) })).status).toBe(201);
    expect((await rows(target.id)).map((r) => r.user_id)).toEqual([honest.id]);
    // The secretary can see it happened: one audit entry for the meeting.
    expect(
      await count(
        t,
        "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'attendance.code_guessing' AND target_id = ?",
        [target.id],
      ),
    ).toBe(1);
  });

  it('58: a member of another branch is refused with a valid code, on every route', async () => {
    const home = await branch('本支部');
    const sibling = await branch('兄弟');
    const s = await schedule(home, 10);
    const outsider = await pageMember(sibling);
    const above = await member((await t.app.get(OrgTreeService).find(community)) as OrgNodeEntity);
    for (const who of [outsider, above]) {
      const res = await checkIn(who, s.id, { code: code(s) });
      expect(res.status).toBe(403);
      expect(res.json.error).toBe('NOT_A_MEMBER');
      const any = await api('POST', '/api/v1/check-in', {
        token: who.token,
        body: { code: code(s) },
      });
      expect(any.status).toBe(404);
      expect(any.json.error).toBe('NO_OPEN_SESSION');
    }
    const form = await outsider.page.get(`/check-in?s=${s.id}`);
    const posted = await outsider.page.post('/check-in', {
      _csrf: PageClient.csrf(form.text),
      s: s.id,
      code: code(s),
    });
    expect(posted.status).toBe(403);
    expect(posted.text).toContain('alert error');
    expect(await rowCount(s.id)).toBe(0);
  });

  it('59: a tampered QR link (meeting id, code, an expired photo of it) is refused, never a 500, nothing recorded', async () => {
    const org = await branch('二维码');
    const s = await schedule(org, 10);
    const sameBranch = await schedule(org, 20);
    const otherBranch = await schedule(await branch('别处'), 10);
    const { checkIn: policy } = await t.app.get(AttendanceService).policyNumbers();
    const step = policy.codeStepSeconds * 1000;
    at(Math.floor(Date.now() / step) * step + step / 2);
    const p = await pageMember(org);
    // The QR encodes the check-in page with the meeting id and the code shown at that moment.
    const qr = new URL(s.checkInUrl);
    expect(qr.pathname).toBe('/check-in');
    expect(qr.searchParams.get('s')).toBe(s.id);
    const shown = code(s);
    const landing = await p.page.get(`/check-in?s=${s.id}&code=${shown}`);
    expect(landing.status).toBe(200);
    const csrf = PageClient.csrf(landing.text);
    const post = (form: Record<string, string>) =>
      p.page.post('/check-in', { _csrf: csrf, ...form });
    const digit = (c: string) => `${(Number(c[0]) + 1) % 10}${c.slice(1)}`;
    const expired = codeAt(
      s.secret,
      new Date(clock.now().getTime() - (policy.acceptPreviousSteps + 1) * step),
    );
    const cases: Array<[string, Record<string, string>, number]> = [
      ['another meeting of the branch', { s: sameBranch.id, code: shown }, 400],
      ['a meeting of another branch', { s: otherBranch.id, code: shown }, 403],
      ['an unknown meeting', { s: randomUUID(), code: shown }, 404],
      ['a path', { s: '../../etc/passwd', code: shown }, 404],
      ['markup', { s: '"><script>alert(1)</script>', code: shown }, 404],
      ['SQL', { s: "' OR '1'='1", code: shown }, 404],
      ['too long', { s: 'x'.repeat(37), code: shown }, 400],
      ['a changed digit', { s: s.id, code: digit(shown) }, 400],
      ['an expired photo', { s: s.id, code: expired }, 400],
    ];
    for (const [label, form, status] of cases) {
      const res = await post(form);
      expect([label, res.status]).toEqual([label, status]);
      expect(res.text).not.toContain('<script>alert(1)');
    }
    const reflected = await p.page.get(
      `/check-in?s=${encodeURIComponent('"><script>alert(1)</script>')}&code=1`,
    );
    expect(reflected.status).toBe(200);
    expect(reflected.text).not.toContain('<script>alert(1)');
    for (const id of [s.id, sameBranch.id, otherBranch.id]) {
      expect(await rowCount(id)).toBe(0);
    }
    // The untouched link checks in.
    const ok = await post({ s: s.id, code: shown });
    expect(ok.status).toBe(201);
    expect((await rows(s.id)).map((r) => r.user_id)).toEqual([p.id]);
  });

  it('61: attendance is edited only by an officer in scope, with a reason, audited with before and after; study hours are credited once', async () => {
    const org = await branch('更正');
    const secretary = await member(org, ['secretary']);
    const otherSecretary = await member(await branch('隔壁'), ['secretary']);
    const s = await schedule(org, 10);
    const [came, missed] = await Promise.all([member(org), member(org)]);
    expect((await checkIn(came, s.id, { code: code(s) })).status).toBe(201);
    // After the meeting (closed by the sweep), the one who did not come is absent.
    at(s.closesAt.getTime() + 60_000);
    expect(await t.app.get(AttendanceService).sweep()).toBeGreaterThanOrEqual(1);
    const recordOf = async (userId: string) =>
      (
        await sql<{
          id: string;
          status: string;
          source: string;
          recorded_by: string | null;
          reason: string | null;
        }>(
          t,
          'SELECT id, status, source, recorded_by, reason FROM attendance_records WHERE session_id = ? AND user_id = ?',
          [s.id, userId],
        )
      )[0];
    const absent = await recordOf(missed.id);
    const rowsAfterClose = await rowCount(s.id);
    expect(absent).toMatchObject({ status: 'absent', source: 'close' });
    const audits = () =>
      count(
        t,
        "SELECT COUNT(*) AS n FROM audit_log WHERE action LIKE 'attendance.%' AND target_id = ?",
        [absent?.id],
      );
    const hours = () =>
      count(
        t,
        'SELECT COUNT(*) AS n FROM study_hour_ledger WHERE user_id = ? AND activity_id = ?',
        [missed.id, s.id],
      );
    const path = `/api/v1/study-days/${s.id}/attendance`;
    const correction = { userId: missed.id, status: 'present', reason: '会后核对签到表，实际到场' };
    const unknownSession = await api('POST', `/api/v1/study-days/${randomUUID()}/attendance`, {
      token: otherSecretary.token,
      body: correction,
    });
    // Refused: the member themself, a colleague, an officer of another branch (as if the meeting did not exist),
    // no reason, an extra field, a person from elsewhere.
    const refusals: Array<[string, string, unknown, number]> = [
      ['the member', missed.token, correction, 403],
      ['a colleague', came.token, correction, 403],
      ['another branch’s secretary', otherSecretary.token, correction, 404],
      ['no reason', secretary.token, { userId: missed.id, status: 'present' }, 400],
      ['a one-letter reason', secretary.token, { ...correction, reason: 'x' }, 400],
      ['an extra field', secretary.token, { ...correction, at: new Date().toISOString() }, 400],
      ['an unknown status', secretary.token, { ...correction, status: 'excused' }, 400],
      [
        'someone from elsewhere',
        secretary.token,
        { ...correction, userId: otherSecretary.id },
        403,
      ],
    ];
    for (const [label, token, body, status] of refusals) {
      const res = await api('POST', path, { token, body });
      expect([label, res.status]).toEqual([label, status]);
    }
    const foreign = await api('POST', path, { token: otherSecretary.token, body: correction });
    expect({
      status: foreign.status,
      error: foreign.json.error,
      message: foreign.json.message,
    }).toEqual({
      status: unknownSession.status,
      error: unknownSession.json.error,
      message: unknownSession.json.message,
    });
    expect(await recordOf(missed.id)).toEqual(absent);
    expect(await audits()).toBe(0);
    expect(await hours()).toBe(0);

    // The branch secretary corrects it after the window: one row changed, audited with who, before and after.
    const fixed = await api('POST', path, { token: secretary.token, body: correction });
    expect(fixed.status).toBe(201);
    expect(await recordOf(missed.id)).toEqual({
      id: absent?.id,
      status: 'present',
      source: 'secretary',
      recorded_by: secretary.id,
      reason: correction.reason,
    });
    const [entry] = await sql<{ actor_id: string; details: string; at: string }>(
      t,
      "SELECT actor_id, details, at FROM audit_log WHERE action = 'attendance.correct' AND target_id = ?",
      [absent?.id],
    );
    expect(entry?.actor_id).toBe(secretary.id);
    expect(JSON.parse(entry?.details ?? '{}')).toMatchObject({
      before: 'absent',
      after: 'present',
      reason: correction.reason,
      userId: missed.id,
    });
    expect(await hours()).toBe(1);
    // A second correction is audited too and credits nothing more.
    const again = await api('POST', path, {
      token: secretary.token,
      body: { ...correction, status: 'late', reason: '核对监控，迟到十五分钟' },
    });
    expect(again.status).toBe(201);
    expect(await audits()).toBe(2);
    expect(await hours()).toBe(1);
    // Corrections change the one row, never add one: the same rows as after closing.
    expect(await rowCount(s.id)).toBe(rowsAfterClose);
  });

  it('62: the roster and the regularity report (JSON and CSV) count exactly the rows in the database', async () => {
    const org = await branch('导出');
    const people = await Promise.all(Array.from({ length: 12 }, () => member(org)));
    const s = await schedule(org, 10);
    // Eight check in, each three times at once; one is recorded at home; one asks for leave; two do not come.
    const burst = await Promise.all(
      people
        .slice(0, 8)
        .flatMap((p) => [p, p, p])
        .map((p) => checkIn(p, s.id, { code: code(s) })),
    );
    expect(burst.filter((r) => r.status === 201)).toHaveLength(8);
    expect(burst.filter((r) => r.status !== 201).map((r) => r.json.error)).toEqual(
      Array(16).fill('ALREADY_CHECKED_IN'),
    );
    const visit = await api('POST', `/api/v1/study-days/${s.id}/attendance`, {
      token: admin,
      body: { userId: people[8]?.id, status: 'home_visit', reason: '行动不便，上门送学' },
    });
    expect(visit.status).toBe(201);
    const leave = await api('POST', `/api/v1/study-days/${s.id}/leave`, {
      token: people[9]?.token,
      body: { reason: '在外地参加培训' },
    });
    expect(leave.status).toBe(201);
    expect(
      (
        await api('POST', `/api/v1/leave-requests/${leave.json.id}/approve`, {
          token: admin,
          body: {},
        })
      ).status,
    ).toBe(200);
    expect((await api('POST', `/api/v1/study-days/${s.id}/close`, { token: admin })).status).toBe(
      200,
    );

    const byStatus = async (): Promise<Record<string, number>> =>
      Object.fromEntries(
        (
          await sql<{ status: string; n: number | string }>(
            t,
            'SELECT status, COUNT(*) AS n FROM attendance_records WHERE session_id = ? GROUP BY status',
            [s.id],
          )
        ).map((r) => [r.status, Number(r.n)]),
      );
    const db = await byStatus();
    expect(db).toEqual({ present: 8, home_visit: 1, leave: 1, absent: 2 });
    expect(
      await count(
        t,
        'SELECT COUNT(*) AS n FROM (SELECT user_id FROM attendance_records WHERE session_id = ? GROUP BY user_id HAVING COUNT(*) > 1) d',
        [s.id],
      ),
    ).toBe(0);

    const roster = await api('GET', `/api/v1/study-days/${s.id}/attendance`, { token: admin });
    expect(roster.status).toBe(200);
    expect(roster.json.items).toHaveLength(12);
    const { pending, ...counted } = roster.json.counts as Record<string, number>;
    expect(pending).toBe(0);
    expect(Object.fromEntries(Object.entries(counted).filter(([, n]) => n > 0))).toEqual(db);
    const total = Object.values(db).reduce((a2, n) => a2 + n, 0);
    const attended = db.present + db.home_visit;
    expect(roster.json.rates).toMatchObject({ liable: total, attended });

    const [row] = await sql<{ local_date: string }>(
      t,
      'SELECT local_date FROM attendance_sessions WHERE id = ?',
      [s.id],
    );
    const month = (row?.local_date ?? '').slice(0, 7);
    expect(month).toMatch(/^\d{4}-\d{2}$/);
    const year = month.slice(0, 4);
    const report = await api('GET', `/api/v1/reports/regularity?org=${org.id}&year=${year}`, {
      token: admin,
    });
    expect(report.status).toBe(200);
    const cell = (
      report.json.branches as Array<{
        id: string;
        months: Array<{ month: string; liable: number; attended: number; attendanceRate: number }>;
      }>
    )
      .find((b2) => b2.id === org.id)
      ?.months.find((m) => m.month === month);
    expect(cell).toMatchObject({ liable: total, attended, attendanceRate: attended / total });
    const csv = await api(
      'GET',
      `/api/v1/reports/regularity?org=${org.id}&year=${year}&format=csv&lang=en`,
      { token: admin },
    );
    expect(csv.status).toBe(200);
    const lines = csv.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    const header = (lines[0] ?? '').split(',');
    const line = lines.find((l) => l.includes(`,${month},`))?.split(',') ?? [];
    const column = header.findIndex((h) => /attendance/i.test(h));
    expect(column).toBeGreaterThan(0);
    expect(Number(line[column])).toBe(Math.round((attended / total) * 1000) / 1000);
  });
});
