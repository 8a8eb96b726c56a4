import { DateTime } from 'luxon';
import { PageClient, startTestApp, TestApp } from '../helpers/test-app';
import {
  BOOT_TIMEOUT,
  buildWorld,
  count,
  FiveHundredGuard,
  htmlEscaped,
  makePerson,
  MOODLE_STRING,
  orgByName,
  sql,
  World,
} from './support';

/** How a form route refuses bad input: the error page, its message naming the field (or the unreadable body). */
const ERROR_PAGE_400 =
  /<p class="status" aria-hidden="true">400<\/p>[\s\S]*<p>[^<]*(“[\w.]+”|JSON)/;

/**
 * SECURITY-TESTS.md 1, 2, 3, 5, 6, 7, 9, 10, 12, 14: every DTO route gets missing fields, wrong types, nulls, 1 MB
 * strings, unknown fields, `__proto__`/`constructor` keys, repeated query parameters, invalid UTF-8, full-width
 * digits and emoji. Each answers 400 naming the field (or 413 over the body limit) or stores the value exactly;
 * no answer is a 500 (the guard fails the suite on any).
 */
describe('Bad input on every DTO route', () => {
  let t: TestApp;
  let w: World;
  const guard = new FiveHundredGuard();
  let api: TestApp['api'];
  const ids: Record<string, string> = {};
  const big = 'a'.repeat(1_000_001);

  beforeAll(async () => {
    t = await startTestApp();
    api = guard.wrap(t);
    w = await buildWorld(t, 'bi');
    ids.homeBranch = w.ids.homeBranch;
    ids.cadre = w.ids.cadre;
    const start = DateTime.now()
      .setZone('Asia/Shanghai')
      .plus({ days: 5 })
      .set({ hour: 9, minute: 0, second: 0, millisecond: 0 });
    const day = await api('POST', `/api/v1/branches/${w.ids.homeBranch}/study-days`, {
      token: w.actors.secretary,
      body: {
        topic: '输入测试',
        startsAt: start.toISO(),
        endsAt: start.plus({ hours: 1 }).toISO(),
        place: '会议室',
      },
    });
    ids.studyDay = day.json.occurrences[0].id;
    const banks = await api('GET', '/api/v1/question-banks', { token: w.actors.trainer });
    ids.bank = banks.json.items[0].id;
    const quiz = await api('POST', '/api/v1/quizzes', {
      token: w.actors.trainer,
      body: {
        courseSlug: 'neighbour-mediation',
        title: '输入测验',
        bankId: ids.bank,
        passMark: 60,
        attemptsAllowed: 9,
      },
    });
    ids.quiz = quiz.json.id;
    await api('POST', '/api/v1/courses/neighbour-mediation/enrol', {
      token: w.actors.learner,
      body: {},
    });
    const attempt = await api('POST', `/api/v1/quizzes/${ids.quiz}/attempts`, {
      token: w.actors.learner,
    });
    ids.attempt = attempt.json.attemptId;
    ids.question = attempt.json.questions[0].id;
    // Two people of the home branch: one holds a live reset link, the other is the target of the /admin button.
    const home = await orgByName(t, '阳光社区第一党支部');
    const [linked, button] = await Promise.all([
      makePerson(t, 'bi_reset', home),
      makePerson(t, 'bi_button', home),
    ]);
    ids.buttonTarget = button.id;
    ids.resetLink = await resetSecret(linked.id);
  }, BOOT_TIMEOUT);

  /** A reset link issued by the home branch's secretary; answers its secret. */
  const resetSecret = async (userId: string): Promise<string> => {
    const res = await api('POST', `/api/v1/users/${userId}/password-reset`, {
      token: w.actors.secretary,
    });
    expect(res.status).toBe(201);
    return new URL(res.json.resetUrl as string).pathname.split('/').pop() ?? '';
  };
  const passwordHashOf = async (username: string): Promise<string> =>
    (
      await sql<{ password_hash: string }>(
        t,
        'SELECT password_hash FROM users WHERE username = ?',
        [username],
      )
    )[0]?.password_hash ?? '';

  afterAll(async () => {
    await t?.close();
    expect(guard.seen).toEqual([]);
  });

  interface DtoRoute {
    name: string;
    method: string;
    path: () => string;
    who: keyof World['actors'];
    /** A valid body; each case below breaks one field of it. */
    valid: () => Record<string, unknown>;
    /** A string field to stretch to 1 MB and to fill with the wrong types. */
    stringField: string;
    /** Statuses also acceptable for this route (e.g. 200 for an empty PATCH, 404 for a polymorphic answer). */
    also?: number[];
    /** Sent without a token (a public route). */
    anonymous?: boolean;
    /**
     * An HTML form route, sent here with a bearer token (which needs no CSRF token): a refusal is the error page,
     * whose message names the field like the JSON one.
     */
    page?: boolean;
  }

  const routes: DtoRoute[] = [
    {
      name: 'sign-in',
      method: 'POST',
      path: () => '/api/v1/auth/login',
      who: 'learner',
      valid: () => ({ username: 'nobody', password: 'wrong-password' }),
      stringField: 'username',
      anonymous: true,
    },
    {
      name: 'create a person',
      method: 'POST',
      path: () => '/api/v1/users',
      who: 'admin',
      valid: () => ({
        username: 'bi_person',
        displayName: '张三（党员）',
        password: 'Quiet-River-2026',
        orgId: ids.homeBranch,
      }),
      stringField: 'displayName',
    },
    {
      name: 'edit a person',
      method: 'PATCH',
      path: () => `/api/v1/users/${ids.cadre}`,
      who: 'admin',
      valid: () => ({ displayName: '王秀英' }),
      stringField: 'displayName',
      also: [200],
    },
    {
      name: 'create an org node',
      method: 'POST',
      path: () => '/api/v1/orgs',
      who: 'admin',
      valid: () => ({ kind: 'branch', name: 'x', parentId: 'none' }),
      stringField: 'name',
    },
    {
      name: 'create a course',
      method: 'POST',
      path: () => '/api/v1/courses',
      who: 'trainer',
      valid: () => ({
        slug: 'bi-course',
        title: 't',
        titleEn: 't',
        trainingKind: 'special_topic',
        hours: 1,
        summary: 's',
        competencies: [],
        modules: [],
      }),
      stringField: 'title',
    },
    {
      name: 'markdown preview',
      method: 'POST',
      path: () => '/api/v1/markdown/preview',
      who: 'trainer',
      valid: () => ({ markdown: '# x' }),
      stringField: 'markdown',
    },
    {
      name: 'create a quiz',
      method: 'POST',
      path: () => '/api/v1/quizzes',
      who: 'trainer',
      valid: () => ({
        courseSlug: 'neighbour-mediation',
        title: 'q',
        bankId: ids.bank,
        passMark: 60,
      }),
      stringField: 'title',
    },
    {
      name: 'save an answer',
      method: 'PUT',
      path: () => `/api/v1/attempts/${ids.attempt}/answers`,
      who: 'learner',
      valid: () => ({ questionId: ids.question, response: 'x' }),
      stringField: 'questionId',
    },
    {
      name: 'schedule a study day',
      method: 'POST',
      path: () => `/api/v1/branches/${ids.homeBranch}/study-days`,
      who: 'secretary',
      valid: () => ({
        topic: 't',
        startsAt: '2030-01-10T09:00:00+08:00',
        endsAt: '2030-01-10T10:00:00+08:00',
        place: 'p',
      }),
      stringField: 'topic',
    },
    {
      name: 'check in',
      method: 'POST',
      path: () => `/api/v1/study-days/${ids.studyDay}/check-in`,
      who: 'learner',
      valid: () => ({ code: '123456' }),
      stringField: 'code',
    },
    {
      name: 'check in by code',
      method: 'POST',
      path: () => '/api/v1/check-in',
      who: 'learner',
      valid: () => ({ code: '123456' }),
      stringField: 'code',
    },
    {
      name: 'ask for leave',
      method: 'POST',
      path: () => `/api/v1/study-days/${ids.studyDay}/leave`,
      who: 'learner',
      valid: () => ({ reason: '出差' }),
      stringField: 'reason',
    },
    {
      name: 'record attendance',
      method: 'POST',
      path: () => `/api/v1/study-days/${ids.studyDay}/attendance`,
      who: 'secretary',
      valid: () => ({ userId: ids.cadre, status: 'present', reason: '补记' }),
      stringField: 'reason',
    },
    {
      name: 'write minutes',
      method: 'PUT',
      path: () => `/api/v1/study-days/${ids.studyDay}/minutes`,
      who: 'secretary',
      valid: () => ({ minutes: '纪要' }),
      stringField: 'minutes',
    },
    {
      name: 'revoke a certificate',
      method: 'POST',
      path: () => '/api/v1/certificates/00000000-0000-0000-0000-000000000000/revoke',
      who: 'admin',
      valid: () => ({ reason: '测试' }),
      stringField: 'reason',
    },
    {
      name: 'practise from the notebook',
      method: 'POST',
      path: () => `/api/v1/me/notebook/${ids.question}/practice`,
      who: 'learner',
      valid: () => ({ response: 'x' }),
      stringField: 'response',
      also: [404],
    },
    // Passwords: one entry per field, that field first (so "missing" drops it). The valid bodies would succeed
    // (the learner's real current password, a live link), so anything that slipped past validation would show.
    {
      name: 'change one’s own password (currentPassword)',
      method: 'POST',
      path: () => '/api/v1/me/password',
      who: 'learner',
      valid: () => ({ currentPassword: 'demo1234', newPassword: 'Bad input river 2026' }),
      stringField: 'currentPassword',
    },
    {
      name: 'change one’s own password (newPassword)',
      method: 'POST',
      path: () => '/api/v1/me/password',
      who: 'learner',
      valid: () => ({ newPassword: 'Bad input river 2026', currentPassword: 'demo1234' }),
      stringField: 'newPassword',
    },
    {
      name: 'set a password with a reset link (token)',
      method: 'POST',
      path: () => '/api/v1/auth/password-reset',
      who: 'learner',
      anonymous: true,
      valid: () => ({ token: ids.resetLink, newPassword: 'Bad input river 2026' }),
      stringField: 'token',
    },
    {
      name: 'set a password with a reset link (newPassword)',
      method: 'POST',
      path: () => '/api/v1/auth/password-reset',
      who: 'learner',
      anonymous: true,
      valid: () => ({ newPassword: 'Bad input river 2026', token: ids.resetLink }),
      stringField: 'newPassword',
    },
    {
      name: 'password form (currentPassword)',
      method: 'POST',
      path: () => '/me/password',
      who: 'learner',
      page: true,
      valid: () => ({
        currentPassword: 'demo1234',
        newPassword: 'Bad input river 2026',
        confirmPassword: 'Bad input river 2026',
      }),
      stringField: 'currentPassword',
    },
    {
      name: 'password form (newPassword)',
      method: 'POST',
      path: () => '/me/password',
      who: 'learner',
      page: true,
      valid: () => ({
        newPassword: 'Bad input river 2026',
        currentPassword: 'demo1234',
        confirmPassword: 'Bad input river 2026',
      }),
      stringField: 'newPassword',
    },
    {
      name: 'password form (confirmPassword)',
      method: 'POST',
      path: () => '/me/password',
      who: 'learner',
      page: true,
      valid: () => ({
        confirmPassword: 'Bad input river 2026',
        currentPassword: 'demo1234',
        newPassword: 'Bad input river 2026',
      }),
      stringField: 'confirmPassword',
    },
    {
      name: 'password form (_csrf)',
      method: 'POST',
      path: () => '/me/password',
      who: 'learner',
      page: true,
      valid: () => ({
        currentPassword: 'demo1234',
        newPassword: 'Bad input river 2026',
        confirmPassword: 'Bad input river 2026',
        _csrf: 'x',
      }),
      stringField: '_csrf',
    },
    {
      name: 'reset form (newPassword)',
      method: 'POST',
      path: () => `/reset-password/${ids.resetLink}`,
      who: 'learner',
      page: true,
      valid: () => ({
        newPassword: 'Bad input river 2026',
        confirmPassword: 'Bad input river 2026',
      }),
      stringField: 'newPassword',
    },
    {
      name: 'reset form (confirmPassword)',
      method: 'POST',
      path: () => `/reset-password/${ids.resetLink}`,
      who: 'learner',
      page: true,
      valid: () => ({
        confirmPassword: 'Bad input river 2026',
        newPassword: 'Bad input river 2026',
      }),
      stringField: 'confirmPassword',
    },
    {
      name: 'reset form (_csrf)',
      method: 'POST',
      path: () => `/reset-password/${ids.resetLink}`,
      who: 'learner',
      page: true,
      valid: () => ({
        newPassword: 'Bad input river 2026',
        confirmPassword: 'Bad input river 2026',
        _csrf: 'x',
      }),
      stringField: '_csrf',
    },
    // Its only field is optional: an empty body is a valid request and shows a new link (200).
    {
      name: 'reset link button on /admin (_csrf)',
      method: 'POST',
      path: () => `/admin/people/${ids.buttonTarget}/password-reset`,
      who: 'secretary',
      page: true,
      valid: () => ({ _csrf: 'x' }),
      stringField: '_csrf',
      also: [200],
    },
  ];

  type Case = [string, (r: DtoRoute) => unknown, number[]];
  const cases: Case[] = [
    ['a 1 MB string', (r) => ({ ...r.valid(), [r.stringField]: big }), [400, 413]],
    ['a number for a string', (r) => ({ ...r.valid(), [r.stringField]: 100 }), [400]],
    ['an array for a string', (r) => ({ ...r.valid(), [r.stringField]: ['a', 'b'] }), [400]],
    ['an object for a string', (r) => ({ ...r.valid(), [r.stringField]: { $gt: '' } }), [400]],
    ['null for a string', (r) => ({ ...r.valid(), [r.stringField]: null }), [400]],
    [
      'an unknown field (mass assignment)',
      (r) => ({ ...r.valid(), role: 'admin', isAdmin: true }),
      [400],
    ],
    [
      'a missing required field',
      (r) => {
        const b = r.valid();
        delete b[Object.keys(b)[0]];
        return b;
      },
      [400],
    ],
    ['an empty body', () => ({}), [400]],
    ['an array as the body', () => [1, 2, 3], [400]],
  ];
  const table = routes.flatMap((r) =>
    cases.map(([label, make, want]) => [`${r.name}: ${label}`, r, make, want] as const),
  );

  it.each(table)('%s', async (label, route, make, want) => {
    const body = make(route);
    const res = await api(route.method, route.path(), {
      token: route.anonymous ? undefined : w.actors[route.who],
      body,
    });
    // A sign-in with bad input is a 400 too, never a 401 that would hide the mistake.
    const allowed = [...want, ...(route.also ?? [])];
    expect(allowed).toContain(res.status);
    if (res.status === 400 && route.page) {
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.text).toMatch(ERROR_PAGE_400);
    } else if (res.status === 400) {
      expect(typeof res.json.message).toBe('string');
      expect(res.json.error).toMatch(/^[A-Z_]+$/);
    }
    // A missing field is named as missing, not with whichever of its rules happens to come first.
    if (res.status === 400 && label.endsWith(': a missing required field')) {
      const missing = `“${Object.keys(route.valid())[0]}”填写有误：必须填写`;
      expect(route.page ? res.text : res.json.message).toContain(missing);
    }
    expect(res.text).not.toMatch(/QueryFailedError|SQLITE|at \w+ \(|\/work\//);
  });

  it.each(routes.map((r) => [r.name, r] as const))(
    '%s: __proto__ and constructor keys are refused and pollute nothing',
    async (_n, route) => {
      for (const raw of [
        `{"__proto__":{"isAdmin":true},"x":1}`,
        `{"constructor":{"prototype":{"isAdmin":true}}}`,
        `${JSON.stringify(route.valid()).slice(0, -1)},"__proto__":{"polluted":1}}`,
      ]) {
        const res = await api(route.method, route.path(), {
          token: route.anonymous ? undefined : w.actors[route.who],
          raw,
          headers: { 'content-type': 'application/json' },
        });
        expect(res.status).toBe(400);
      }
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  );

  it('refuses malformed JSON, a 50 MB body and JSON nested 100 000 deep quickly, and stays responsive', async () => {
    const started = Date.now();
    const bad = await api('POST', '/api/v1/auth/login', {
      raw: '{"username": "x",',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    const huge = await api('POST', '/api/v1/markdown/preview', {
      token: w.actors.trainer,
      raw: 'x'.repeat(50 * 1024 * 1024),
      headers: { 'content-type': 'application/json' },
    });
    expect(huge.status).toBe(413);
    const deep = await api('POST', '/api/v1/markdown/preview', {
      token: w.actors.trainer,
      raw: '['.repeat(100_000) + ']'.repeat(100_000),
      headers: { 'content-type': 'application/json' },
    });
    expect([400, 413]).toContain(deep.status);
    const health = await api('GET', '/healthz');
    expect(health.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('does not coerce types: "false", "100", "1e3", 1.5 and -1 are refused where a boolean or an integer is due', async () => {
    for (const body of [
      { active: 'false' },
      { postGrade: '3' },
      { postGrade: 1.5 },
      { postGrade: -1 },
      { postGrade: null },
      { partyMember: 'true' },
    ]) {
      const res = await api('PATCH', `/api/v1/users/${ids.cadre}`, { token: w.actors.admin, body });
      expect(res.status).toBe(400);
      expect(res.json.field).toBe(Object.keys(body)[0]);
    }
    const me = await api('GET', '/api/v1/me', { token: w.actors.learner });
    expect(me.status).toBe(200);
    const quiz = await api('POST', '/api/v1/quizzes', {
      token: w.actors.trainer,
      body: { courseSlug: 'neighbour-mediation', title: 'q', bankId: ids.bank, passMark: '60' },
    });
    expect(quiz.status).toBe(400);
    expect(quiz.json.field).toBe('passMark');
    for (const timeLimitSeconds of [0, -1, 2147483648, '60']) {
      const res = await api('POST', '/api/v1/quizzes', {
        token: w.actors.trainer,
        body: {
          courseSlug: 'neighbour-mediation',
          title: 'q',
          bankId: ids.bank,
          passMark: 60,
          timeLimitSeconds,
        },
      });
      expect(res.status).toBe(400);
    }
    for (const startsAt of ['2030-02-30T09:00:00+08:00', 'tomorrow', '2030-01-10T09:00:00']) {
      const res = await api('POST', `/api/v1/branches/${ids.homeBranch}/study-days`, {
        token: w.actors.secretary,
        body: { topic: 't', startsAt, endsAt: '2030-01-10T10:00:00+08:00', place: 'p' },
      });
      expect(res.status).toBe(400);
    }
  });

  it('answers repeated query parameters, query arrays, SQL in a search and wildcards without a 500', async () => {
    for (const q of [
      'q=a&q=b',
      'q[]=a',
      'orgId=1&orgId=2',
      "q=' OR '1'='1",
      'q=1;DROP TABLE users--',
      'q=%25',
      'q=_',
      'limit=1e3',
      'limit=-1',
      'cursor=%00',
    ]) {
      const res = await api('GET', `/api/v1/users?${q}`, { token: w.actors.admin });
      expect([200, 400]).toContain(res.status);
    }
    // `%` and `_` are literal in a search: nobody is called that.
    const like = await api('GET', '/api/v1/users?q=%25', { token: w.actors.admin });
    expect(like.status === 400 || like.json.items.length === 0).toBe(true);
    expect(await count(t, 'SELECT COUNT(*) AS n FROM users')).toBeGreaterThan(10);
    for (const q of [
      'org=a&org=b',
      'year=2025&year=2026',
      "org=' OR 1=1--",
      'year=１２３',
      'format=csv&format=xlsx',
    ]) {
      const res = await api('GET', `/api/v1/reports/regularity?${q}`, { token: w.actors.admin });
      expect([400, 403, 404]).toContain(res.status);
    }
  });

  it('refuses invalid UTF-8, NUL and lone surrogates, and keeps emoji and full-width digits exactly', async () => {
    const invalid = Buffer.concat([
      Buffer.from('{"displayName":"'),
      Buffer.from([0xc0, 0xae, 0xff]),
      Buffer.from('"}'),
    ]);
    const r1 = await api('PATCH', `/api/v1/users/${ids.cadre}`, {
      token: w.actors.admin,
      raw: invalid,
      headers: { 'content-type': 'application/json' },
    });
    expect([200, 400]).toContain(r1.status);
    if (r1.status === 200) {
      // Undecodable bytes become U+FFFD (the WHATWG decoder), never raw bytes in the database.
      expect(r1.json.displayName).toContain('\ufffd');
    }
    for (const name of ['a\u0000b', '\ud800x']) {
      const r = await api('PATCH', `/api/v1/users/${ids.cadre}`, {
        token: w.actors.admin,
        raw: `{"displayName":${JSON.stringify(name)}}`,
        headers: { 'content-type': 'application/json' },
      });
      expect(r.status).toBe(400);
      expect(r.json.field).toBe('displayName');
    }
    const exact = '😀𠀀 张三（党员） １２３ \u202Eabc \u200B';
    const r2 = await api('PATCH', `/api/v1/users/${ids.cadre}`, {
      token: w.actors.admin,
      body: { displayName: exact },
    });
    expect(r2.status).toBe(200);
    expect(
      (await api('GET', `/api/v1/users/${ids.cadre}`, { token: w.actors.admin })).json.displayName,
    ).toBe(exact.trim());
    // Full-width digits in a check-in code are not a valid code (400), never a crash.
    const fw = await api('POST', `/api/v1/study-days/${ids.studyDay}/check-in`, {
      token: w.actors.learner,
      body: { code: '１２３４５６' },
    });
    expect([400, 409]).toContain(fw.status);
    // A full-width ＡＤＭＩＮ cannot sign in as admin.
    const login = await api('POST', '/api/v1/auth/login', {
      body: { username: 'ＡＤＭＩＮ', password: 'demo1234' },
    });
    expect(login.status).toBe(401);
  });

  it('stores the Moodle string exactly and shows it escaped once: a display name on /admin, a course title in the catalogue', async () => {
    const renamed = await api('PATCH', `/api/v1/users/${w.ids.learnerSibling}`, {
      token: w.actors.admin,
      body: { displayName: MOODLE_STRING },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.json.displayName).toBe(MOODLE_STRING);
    const person = await api('GET', `/api/v1/users/${w.ids.learnerSibling}`, {
      token: w.actors.admin,
    });
    expect(person.json.displayName).toBe(MOODLE_STRING);
    const page = await api('GET', `/admin?orgId=${w.ids.siblingBranch}`, {
      token: w.actors.admin,
      headers: { accept: 'text/html' },
    });
    expect(page.status).toBe(200);
    expect(page.text).toContain(htmlEscaped(MOODLE_STRING));
    expect(page.text).not.toContain(htmlEscaped(htmlEscaped(MOODLE_STRING)));

    const lesson = { title: 'L', titleEn: 'L', minutes: 10, markdown: 'x' };
    const hostile = `${MOODLE_STRING} <img src=x onerror=alert(1)> {{constructor.constructor('return process')()}} \${7*7}`;
    const course = await api('POST', '/api/v1/courses', {
      token: w.actors.trainer,
      body: {
        slug: 'bi-moodle',
        title: hostile,
        titleEn: MOODLE_STRING,
        trainingKind: 'special_topic',
        hours: 1,
        summary: MOODLE_STRING,
        competencies: [],
        modules: [{ title: 'M', titleEn: 'M', lessons: [lesson] }],
      },
    });
    expect(course.status).toBe(201);
    expect(
      (await api('POST', '/api/v1/courses/bi-moodle/publish', { token: w.actors.trainer })).status,
    ).toBe(200);
    const json = await api('GET', '/api/v1/courses/bi-moodle', { token: w.actors.learner });
    expect(json.json.title).toBe(hostile);
    const catalogue = await api('GET', '/courses', {
      token: w.actors.learner,
      headers: { accept: 'text/html' },
    });
    expect(catalogue.text).toContain(htmlEscaped(hostile));
    expect(catalogue.text).not.toContain('<img src=x');
    const detail = await api('GET', '/courses/bi-moodle', {
      token: w.actors.learner,
      headers: { accept: 'text/html' },
    });
    expect(detail.text).toContain(htmlEscaped(hostile));
    expect(detail.text).not.toMatch(/<title>[^<]*<img/);
  });

  it('takes the Moodle string as a password byte for byte, through the JSON API and the reset form, and shows the name escaped once', async () => {
    const login = (username: string, password: string) =>
      api('POST', '/api/v1/auth/login', { body: { username, password } });
    // JSON: change one's own password to it; only the exact string signs in afterwards.
    const token = await t.token('user040');
    const changed = await api('POST', '/api/v1/me/password', {
      token,
      body: { currentPassword: 'demo1234', newPassword: MOODLE_STRING },
    });
    expect(changed.status).toBe(204);
    expect((await login('user040', MOODLE_STRING)).status).toBe(200);
    for (const near of [
      MOODLE_STRING.slice(0, -1),
      htmlEscaped(MOODLE_STRING),
      MOODLE_STRING.replace(/\\/g, ''),
      ` ${MOODLE_STRING}`,
    ]) {
      expect((await login('user040', near)).status).toBe(401);
    }
    expect(await passwordHashOf('user040')).not.toContain('碁');

    // The form: a person named with the Moodle string gets a link from the /admin button (the name shown escaped
    // once), and sets the string as a password on the reset page, form-encoded, as a browser sends it.
    const home = await orgByName(t, '阳光社区第一党支部');
    const person = await makePerson(t, 'bi_moodle_pw', home, [], MOODLE_STRING);
    const officer = guard.pages(t);
    await officer.signIn('secretary');
    const list = await officer.get('/admin?q=bi_moodle_pw');
    expect(list.text).toContain(htmlEscaped(MOODLE_STRING));
    const shown = await officer.post(`/admin/people/${person.id}/password-reset`, {
      _csrf: PageClient.csrf(list.text),
    });
    expect(shown.status).toBe(200);
    expect(shown.text).toContain(htmlEscaped(MOODLE_STRING));
    expect(shown.text).not.toContain(htmlEscaped(htmlEscaped(MOODLE_STRING)));
    const secret = /\/reset-password\/([A-Za-z0-9_-]{43})"/.exec(shown.text)?.[1] ?? '';
    expect(secret).not.toBe('');
    const browser = guard.pages(t);
    const form = await browser.get(`/reset-password/${secret}`);
    expect(form.status).toBe(200);
    const done = await browser.post(`/reset-password/${secret}`, {
      newPassword: MOODLE_STRING,
      confirmPassword: MOODLE_STRING,
      _csrf: PageClient.csrf(form.text),
    });
    expect(done.status).toBe(200);
    expect((await login('bi_moodle_pw', MOODLE_STRING)).status).toBe(200);
    expect((await login('bi_moodle_pw', MOODLE_STRING.trim() + ' ')).status).toBe(401);
  });

  it('refuses bad input on the password forms as a browser posts them: a field twice, 1 MB, an unknown field, no CSRF token', async () => {
    const before = await passwordHashOf('user041');
    const browser = guard.pages(t);
    await browser.signIn('user041');
    const form = await browser.get('/me/password');
    expect(form.status).toBe(200);
    const csrf = PageClient.csrf(form.text);
    const good = {
      currentPassword: 'demo1234',
      newPassword: 'Bad input river 2026',
      confirmPassword: 'Bad input river 2026',
    };
    const encoded = (extra: string) =>
      browser.request(
        'POST',
        '/me/password',
        `${new URLSearchParams({ ...good, _csrf: csrf }).toString()}&${extra}`,
        'application/x-www-form-urlencoded',
      );
    const bad: string[] = [];
    for (const extra of [
      'newPassword=Another+river+2026',
      'currentPassword=demo1234',
      'role=admin',
      '__proto__%5BisAdmin%5D=true',
      'constructor%5Bprototype%5D%5BisAdmin%5D=true',
      `confirmPassword=${big}`,
    ]) {
      const res = await encoded(extra);
      if (![400, 413].includes(res.status)) {
        bad.push(`${extra.slice(0, 40)}: ${res.status}`);
      }
    }
    expect(bad).toEqual([]);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect((await browser.post('/me/password', good)).status).toBe(403);
    // Same on the public reset form, sent by an anonymous browser.
    const linked = await makePerson(t, 'bi_reset_form', await orgByName(t, '阳光社区第一党支部'));
    const secret = await resetSecret(linked.id);
    const anonymous = guard.pages(t);
    const reset = await anonymous.get(`/reset-password/${secret}`);
    const resetCsrf = PageClient.csrf(reset.text);
    for (const extra of ['newPassword=Another+river+2026', 'userId=x', `newPassword=${big}`]) {
      const res = await anonymous.request(
        'POST',
        `/reset-password/${secret}`,
        `newPassword=Bad+input+river+2026&confirmPassword=Bad+input+river+2026&_csrf=${encodeURIComponent(resetCsrf)}&${extra}`,
        'application/x-www-form-urlencoded',
      );
      expect([400, 413]).toContain(res.status);
    }
    expect(
      (
        await anonymous.post(`/reset-password/${secret}`, {
          newPassword: 'Bad input river 2026',
          confirmPassword: 'Bad input river 2026',
        })
      ).status,
    ).toBe(403);
    // Nothing changed: the password, and the link is still unused.
    expect(await passwordHashOf('user041')).toBe(before);
    expect(await passwordHashOf('bi_reset_form')).toBe('x'.repeat(60));
    expect((await anonymous.get(`/reset-password/${secret}`)).status).toBe(200);
  });

  it('limits uploads: size, type by content, and one file', async () => {
    const token = w.actors.secretary;
    // A CSV import larger than its limit is 413; an executable named .csv is refused by content.
    const tooBig = await api('POST', '/api/v1/users/import', {
      token,
      raw: 'username,displayName,orgId\n' + 'a,b,c\n'.repeat(600_000),
      headers: { 'content-type': 'text/csv' },
    });
    expect(tooBig.status).toBe(413);
    const elf = Buffer.concat([
      Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]),
      Buffer.alloc(64),
    ]);
    const binary = await api('POST', '/api/v1/users/import', {
      token,
      raw: elf,
      headers: { 'content-type': 'text/csv' },
    });
    expect([400, 415]).toContain(binary.status);
    // A photo that is really HTML is refused; two files in one form are refused.
    const fakePng = new FormData();
    fakePng.append(
      'file',
      new Blob(['<html><script>alert(1)</script></html>'], { type: 'image/png' }),
      'x.png',
    );
    const photo = await fetch(`${t.url}/api/v1/study-days/${ids.studyDay}/photos`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: fakePng,
    });
    guard.note('POST', 'photos', {
      status: photo.status,
      headers: photo.headers,
      text: await photo.text(),
      json: undefined,
    });
    expect([400, 415]).toContain(photo.status);
    const two = new FormData();
    two.append('file', new Blob(['a,b\n'], { type: 'text/csv' }), 'a.csv');
    two.append('file', new Blob(['a,b\n'], { type: 'text/csv' }), 'b.csv');
    const twoRes = await fetch(`${t.url}/api/v1/users/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: two,
    });
    guard.note('POST', 'import two files', {
      status: twoRes.status,
      headers: twoRes.headers,
      text: await twoRes.text(),
      json: undefined,
    });
    expect([400, 413]).toContain(twoRes.status);
    const gift = await api('POST', '/api/v1/question-banks/import?format=gift&bankName=bi', {
      token: w.actors.trainer,
      raw: Buffer.alloc(6 * 1024 * 1024, 0x61),
      headers: { 'content-type': 'text/plain' },
    });
    expect(gift.status).toBe(413);
  });
});
