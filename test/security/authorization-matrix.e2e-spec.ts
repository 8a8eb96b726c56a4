import { appendFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { startTestApp, TestApp } from '../helpers/test-app';
import {
  BOOT_TIMEOUT,
  buildWorld,
  count,
  FiveHundredGuard,
  makePerson,
  orgByName,
  sql,
  World,
} from './support';

/**
 * SECURITY-TESTS.md 22, 26, 28, 29, 31, 32, 33, 34, 35, 37, 40, 84: every API route and main page, run as six actors.
 * Columns: anonymous, learner of the home branch, learner of the sibling branch, secretary of the sibling
 * branch, trainer of another district, admin of another city. `ok` means any 2xx (or a 3xx for a form page);
 * a number means exactly that status. Objects under test all belong to the home branch (or its course).
 */
const ACTORS = ['anon', 'learner', 'learnerSib', 'secSib', 'trainerXS', 'adminCity2'] as const;
type ActorName = (typeof ACTORS)[number];
type Cell = number | 'ok';

interface Row {
  name: string;
  method: string;
  path: () => string;
  body?: () => unknown;
  raw?: { text: string; type: string };
  /** Six cells in ACTORS order, space separated, e.g. '401 ok 404 404 404 404'. */
  expect: string;
  page?: boolean;
  /** A list: out-of-scope actors must see no row of the home branch (its people, course, study day). */
  list?: boolean;
}

describe('Authorisation matrix: role and organisation scope on every route', () => {
  let t: TestApp;
  let w: World;
  const guard = new FiveHundredGuard();
  let api: TestApp['api'];
  const ids: Record<string, string> = {};
  let answer: unknown;
  let cadreHash = '';
  const passwordHashOf = async (username: string): Promise<string> =>
    (
      await sql<{ password_hash: string }>(
        t,
        'SELECT password_hash FROM users WHERE username = ?',
        [username],
      )
    )[0]?.password_hash ?? '';
  const token = (a: ActorName): string | undefined =>
    a === 'anon'
      ? undefined
      : {
          learner: w.actors.learner,
          learnerSib: w.actors.learnerSibling,
          secSib: w.actors.secretarySibling,
          trainerXS: w.actors.trainerOtherDistrict,
          adminCity2: w.actors.adminOtherCity,
        }[a];

  beforeAll(async () => {
    t = await startTestApp();
    api = guard.wrap(t);
    w = await buildWorld(t, 'mx');
    const { admin, trainer, secretary, learner } = w.actors;
    Object.assign(ids, w.ids);
    // A course owned by the home branch, published, with a quiz; the cadre enrols and starts an attempt.
    const lesson = (title: string) => ({
      title,
      titleEn: title,
      minutes: 10,
      markdown: `## ${title}\n\n正文。`,
    });
    const created = await api('POST', '/api/v1/courses', {
      token: trainer,
      body: {
        slug: 'mx-branch-course',
        title: '支部内部课程',
        titleEn: 'Branch course',
        trainingKind: 'special_topic',
        hours: 1,
        summary: '只对本支部开放。',
        competencies: ['communication'],
        orgId: w.ids.homeBranch,
        modules: [
          { title: '单元', titleEn: 'Module', lessons: [lesson('第一课'), lesson('第二课')] },
        ],
      },
    });
    expect(created.status).toBe(201);
    expect(
      (await api('POST', '/api/v1/courses/mx-branch-course/publish', { token: trainer })).status,
    ).toBe(200);
    expect([200, 201]).toContain(
      (await api('POST', '/api/v1/courses/mx-branch-course/enrol', { token: learner, body: {} }))
        .status,
    );
    const course = await api('GET', '/api/v1/courses/mx-branch-course', { token: learner });
    ids.lesson = course.json.modules[0].lessons[0].id;
    ids.lesson2 = course.json.modules[0].lessons[1].id;
    // A bank owned by the home branch (shared banks from content/ are readable by every trainer by design).
    const bank = await api(
      'POST',
      `/api/v1/question-banks/import?format=gift&bankName=mx-bank&orgId=${w.ids.homeBranch}`,
      {
        token: trainer,
        raw: '::q1:: 1+1 = ? {=2 ~3 ~4}\n\n::q2:: 2+2 = ? {=4 ~5 ~6}\n\n::q3:: 3+3 = ? {=6 ~7 ~8}\n',
        headers: { 'content-type': 'text/plain' },
      },
    );
    expect(bank.status).toBe(201);
    ids.bank = bank.json.bankId;
    const quiz = await api('POST', '/api/v1/quizzes', {
      token: trainer,
      body: {
        courseSlug: 'mx-branch-course',
        title: '支部测验',
        bankId: ids.bank,
        passMark: 60,
        attemptsAllowed: 5,
        questionCount: 3,
      },
    });
    expect(quiz.status).toBe(201);
    ids.quiz = quiz.json.id;
    const attempt = await api('POST', `/api/v1/quizzes/${ids.quiz}/attempts`, { token: learner });
    expect(attempt.status).toBe(201);
    ids.attempt = attempt.json.attemptId;
    ids.question = attempt.json.questions[0].id;
    answer = attempt.json.questions[0].options[0].id;
    // A future study day of the home branch, a leave request on it, and a past one with records.
    const start = DateTime.now()
      .setZone('Asia/Shanghai')
      .plus({ days: 3 })
      .set({ hour: 9, minute: 0, second: 0, millisecond: 0 });
    const day = await api('POST', `/api/v1/branches/${w.ids.homeBranch}/study-days`, {
      token: secretary,
      body: {
        topic: '矩阵测试学习日',
        startsAt: start.toISO(),
        endsAt: start.plus({ hours: 1 }).toISO(),
        place: '党群服务中心',
      },
    });
    expect(day.status).toBe(201);
    ids.studyDay = day.json.occurrences[0].id;
    const leave = await api('POST', `/api/v1/study-days/${ids.studyDay}/leave`, {
      token: learner,
      body: { reason: '出差' },
    });
    expect([200, 201]).toContain(leave.status);
    ids.leave = leave.json.id;
    const cert = await sql<{ id: string; verify_code: string }>(
      t,
      'SELECT id, verify_code FROM certificates WHERE user_id = ?',
      [w.ids.cadre],
    );
    ids.certificate = cert[0]?.id ?? 'none';
    ids.verifyCode = cert[0]?.verify_code ?? 'none';
    ids.month = start.toFormat('yyyy-MM');
    ids.year = String(start.year);
    void admin;
    ids.homeCommunity = (
      await sql<{ parent_id: string }>(t, 'SELECT parent_id FROM org_nodes WHERE id = ?', [
        w.ids.homeBranch,
      ])
    )[0].parent_id;
    // A person of the home branch handed two reset links: the first is dead (replaced), the second live.
    const target = await makePerson(t, 'mx_reset_target', await orgByName(t, '阳光社区第一党支部'));
    ids.resetTarget = target.id;
    const secretOf = async (): Promise<string> => {
      const res = await api('POST', `/api/v1/users/${target.id}/password-reset`, {
        token: secretary,
      });
      expect(res.status).toBe(201);
      return new URL(res.json.resetUrl as string).pathname.split('/').pop() ?? '';
    };
    ids.replacedLink = await secretOf();
    ids.resetLink = await secretOf();
    cadreHash = await passwordHashOf('cadre');
  }, BOOT_TIMEOUT);

  afterAll(async () => {
    await t?.close();
  });

  const A = (p: string) => () =>
    `/api/v1${p.replace(/:(\w+)/g, (_, k: string) => ids[k] ?? `missing-${k}`)}`;
  const P = (p: string) => () => p.replace(/:(\w+)/g, (_, k: string) => ids[k] ?? `missing-${k}`);

  // anon learner learnerSib secSib trainerXS adminCity2
  // prettier-ignore
  const rows: Row[] = [
    // People and organisations
    { name: 'list people of the home branch', method: 'GET', path: A('/users?orgId=:homeBranch'), expect: '401 403 403 403 403 403' },
    { name: 'read the cadre', method: 'GET', path: A('/users/:cadre'), expect: '401 ok 404 404 404 404' },
    { name: 'edit the cadre', method: 'PATCH', path: A('/users/:cadre'), body: () => ({ displayName: '改名' }), expect: '401 403 403 404 403 404' },
    { name: 'create a person in the home branch', method: 'POST', path: A('/users'), body: () => ({ username: 'mx_new', displayName: 'x', password: 'Quiet-River-2026', orgId: ids.homeBranch }), expect: '401 403 403 403 403 403' },
    // A bad row rejects nothing else, so an out-of-scope import answers 201 with the row refused (checked below).
    { name: 'import people (CSV) into the home branch', method: 'POST', path: A('/users/import'), raw: { text: 'username,displayName,password,orgId\nmx_imp,x,Quiet-River-2026,阳光社区第一党支部\n', type: 'text/csv' }, expect: '401 403 403 201 403 201' },
    { name: 'create an org node under the home community', method: 'POST', path: A('/orgs'), body: () => ({ kind: 'branch', name: 'mx', parentId: ids.homeCommunity }), expect: '401 403 403 403 403 403' },
    // Passwords. Only one's own password changes (the actors made for the matrix have no usable password, so their
    // current one is wrong); a reset link is issued by an officer in scope; the link itself is the credential. An
    // anonymous form post carries no CSRF token (403); bearer tokens need none.
    { name: 'change one’s own password', method: 'POST', path: A('/me/password'), body: () => ({ currentPassword: 'demo1234', newPassword: 'Matrix river in spring' }), expect: '401 204 400 400 400 400' },
    { name: 'issue a reset link for the cadre', method: 'POST', path: A('/users/:cadre/password-reset'), expect: '401 403 403 404 403 404' },
    { name: 'set a password with a live reset link: wrong confirmation', method: 'POST', path: P('/reset-password/:resetLink'), page: true, body: () => ({ newPassword: 'Matrix link in spring', confirmPassword: 'Matrix link in autumn' }), expect: '403 400 400 400 400 400' },
    { name: 'set a password with a replaced reset link', method: 'POST', path: A('/auth/password-reset'), body: () => ({ token: ids.replacedLink, newPassword: 'Matrix link in spring' }), expect: '410 410 410 410 410 410' },
    { name: 'page: reset form of a replaced link, submitted', method: 'POST', path: P('/reset-password/:replacedLink'), page: true, body: () => ({ newPassword: 'Matrix link in spring', confirmPassword: 'Matrix link in spring' }), expect: '403 410 410 410 410 410' },
    { name: 'page: reset link button for the cadre', method: 'POST', path: P('/admin/people/:cadre/password-reset'), page: true, body: () => ({}), expect: '403 403 403 404 403 404' },
    { name: 'page: change one’s own password, wrong current password', method: 'POST', path: P('/me/password'), page: true, body: () => ({ currentPassword: 'not-my-password', newPassword: 'Matrix river in autumn', confirmPassword: 'Matrix river in autumn' }), expect: '403 400 400 400 400 400' },
    // Curriculum and learning
    { name: 'read the branch course', method: 'GET', path: A('/courses/mx-branch-course'), expect: '401 ok 404 404 404 404' },
    { name: 'read the branch course draft', method: 'GET', path: A('/courses/mx-branch-course/draft'), expect: '401 403 403 403 404 404' },
    { name: 'edit the branch course', method: 'PUT', path: A('/courses/mx-branch-course'), body: () => ({ slug: 'mx-branch-course', title: 't', titleEn: 't', trainingKind: 'special_topic', hours: 1, summary: 's', competencies: [], modules: [] }), expect: '401 403 403 403 404 404' },
    { name: 'publish the branch course', method: 'POST', path: A('/courses/mx-branch-course/publish'), expect: '401 403 403 403 404 404' },
    { name: 'archive the branch course', method: 'POST', path: A('/courses/mx-branch-course/archive'), expect: '401 403 403 403 404 404' },
    { name: 'enrol in the branch course', method: 'POST', path: A('/courses/mx-branch-course/enrol'), body: () => ({}), expect: '401 ok 404 404 404 404' },
    { name: 'read a lesson of the branch course', method: 'GET', path: A('/lessons/:lesson'), expect: '401 ok 404 404 404 404' },
    { name: 'complete a lesson of the branch course', method: 'POST', path: A('/lessons/:lesson2/complete'), expect: '401 ok 404 404 404 404' },
    // Assessment
    { name: 'read the quiz', method: 'GET', path: A('/quizzes/:quiz'), expect: '401 ok 404 404 404 404' },
    { name: 'start an attempt', method: 'POST', path: A('/quizzes/:quiz/attempts'), expect: '401 ok 404 404 404 404' },
    { name: 'read the cadre’s attempt', method: 'GET', path: A('/attempts/:attempt'), expect: '401 ok 404 404 404 404' },
    { name: 'answer in the cadre’s attempt', method: 'PUT', path: A('/attempts/:attempt/answers'), body: () => ({ questionId: ids.question, response: answer }), expect: '401 ok 404 404 404 404' },
    { name: 'submit the cadre’s attempt', method: 'POST', path: A('/attempts/:attempt/submit'), expect: '401 ok 404 404 404 404' },
    { name: 'quiz analysis', method: 'GET', path: A('/quizzes/:quiz/analysis'), expect: '401 403 403 403 404 404' },
    { name: 'export a question bank', method: 'GET', path: A('/question-banks/:bank/export?format=gift'), expect: '401 403 403 403 404 404' },
    { name: 'import a question bank', method: 'POST', path: A('/question-banks/import?format=gift&bankId=:bank'), raw: { text: '::q:: 1+1 {=2 ~3}\n', type: 'text/plain' }, expect: '401 403 403 403 404 404' },
    { name: 'create a quiz on the branch course', method: 'POST', path: A('/quizzes'), body: () => ({ courseSlug: 'mx-branch-course', title: 'x', bankId: ids.bank, passMark: 60 }), expect: '401 403 403 403 404 404' },
    // Study days and attendance
    { name: 'schedule a study day in the home branch', method: 'POST', path: A('/branches/:homeBranch/study-days'), body: () => ({topic: 'x', startsAt: '2030-01-10T09:00:00+08:00', endsAt: '2030-01-10T10:00:00+08:00', place: 'p' }), expect: '401 403 403 403 403 403' },
    { name: 'home branch calendar', method: 'GET', path: A('/branches/:homeBranch/study-days?month=:month'), expect: '401 ok 403 403 403 403' },
    { name: 'home branch rhythm', method: 'GET', path: A('/branches/:homeBranch/rhythm'), expect: '401 ok 403 403 403 403' },
    { name: 'home branch calendar token', method: 'POST', path: A('/branches/:homeBranch/calendar-token'), expect: '401 403 403 403 403 403' },
    { name: 'read a study day', method: 'GET', path: A('/study-days/:studyDay'), expect: '401 ok 404 404 404 404' },
    { name: 'edit a study day', method: 'PUT', path: A('/study-days/:studyDay'), body: () => ({ place: '别处' }), expect: '401 403 403 404 403 404' },
    { name: 'open check-in', method: 'POST', path: A('/study-days/:studyDay/check-in-code'), expect: '401 403 403 404 403 404' },
    // Check-in names the day; a non-member is told so (403), the member gets past scope (409: not open yet).
    { name: 'check in', method: 'POST', path: A('/study-days/:studyDay/check-in'), body: () => ({ code: '123456' }), expect: '401 409 403 403 403 403' },
    { name: 'close a study day', method: 'POST', path: A('/study-days/:studyDay/close'), expect: '401 403 403 404 403 404' },
    { name: 'roster of a study day', method: 'GET', path: A('/study-days/:studyDay/attendance'), expect: '401 403 403 404 403 404' },
    { name: 'record attendance for the cadre', method: 'POST', path: A('/study-days/:studyDay/attendance'), body: () => ({ userId: ids.cadre, status: 'present', reason: '补记' }), expect: '401 403 403 404 403 404' },
    { name: 'write the minutes', method: 'PUT', path: A('/study-days/:studyDay/minutes'), body: () => ({ minutes: '纪要' }), expect: '401 403 403 404 403 404' },
    { name: 'evidence of a study day', method: 'GET', path: A('/study-days/:studyDay/evidence'), expect: '401 ok 404 404 404 404' },
    { name: 'photos of a study day', method: 'GET', path: A('/study-days/:studyDay/photos'), expect: '401 ok 404 404 404 404' },
    { name: 'approve the cadre’s leave', method: 'POST', path: A('/leave-requests/:leave/approve'), body: () => ({}), expect: '401 403 403 404 404 404' },
    // Certification
    { name: 'the cadre’s certificates', method: 'GET', path: A('/users/:cadre/certificates'), expect: '401 403 403 404 403 404' },
    { name: 'the cadre’s qualification', method: 'GET', path: A('/users/:cadre/qualification'), expect: '401 403 403 404 403 404' },
    { name: 'the cadre’s certificate PDF', method: 'GET', path: A('/certificates/:certificate/pdf'), expect: '401 ok 404 404 404 404' },
    { name: 'revoke the cadre’s certificate', method: 'POST', path: A('/certificates/:certificate/revoke'), body: () => ({ reason: '测试' }), expect: '401 403 403 403 403 404' },
    { name: 'reissue the cadre’s certificate', method: 'POST', path: A('/certificates/:certificate/reissue'), body: () => ({ reason: '测试' }), expect: '401 403 403 404 403 404' },
    { name: 'certificates export of the home branch', method: 'GET', path: A('/certificates/export.zip?org=:homeBranch&from=2000-01-01&to=2100-12-31'), expect: '401 403 403 403 403 403' },
    { name: 'list: people behind on qualification', method: 'GET', path: A('/qualification/behind'), list: true, expect: '401 403 403 200 403 200' },
    { name: 'list: people', method: 'GET', path: A('/users?limit=200'), list: true, expect: '401 403 403 200 403 200' },
    { name: 'list: people searched by the cadre’s name', method: 'GET', path: A('/users?q=cadre'), list: true, expect: '401 403 403 200 403 200' },
    { name: 'list: course catalogue', method: 'GET', path: A('/courses'), list: true, expect: '401 200 200 200 200 200' },
    { name: 'list: question banks', method: 'GET', path: A('/question-banks'), list: true, expect: '401 403 403 403 200 200' },
    { name: 'list: my certificates', method: 'GET', path: A('/me/certificates'), list: true, expect: '401 200 200 200 200 200' },
    { name: 'list: my make-ups', method: 'GET', path: A('/me/make-ups'), list: true, expect: '401 200 200 200 200 200' },
    { name: 'list: my notebook', method: 'GET', path: A('/me/notebook'), list: true, expect: '401 200 200 200 200 200' },
    { name: 'list: my transcript', method: 'GET', path: A('/me/transcript'), list: true, expect: '401 200 200 200 200 200' },
    { name: 'list: pending practical tasks', method: 'GET', path: A('/tasks/pending'), list: true, expect: '401 403 403 200 200 403' },
    { name: 'list: audit log', method: 'GET', path: A('/audit'), list: true, expect: '401 403 403 403 403 200' },
    { name: 'page list: people', method: 'GET', path: P('/admin'), page: true, list: true, expect: '303 403 403 200 403 200' },
    { name: 'page list: catalogue', method: 'GET', path: P('/courses'), page: true, list: true, expect: '303 200 200 200 200 200' },
    { name: 'page list: audit', method: 'GET', path: P('/admin/audit'), page: true, list: true, expect: '303 403 403 403 403 200' },
    // Reports and audit
    { name: 'regularity report of the home branch', method: 'GET', path: A('/reports/regularity?org=:homeBranch&year=:year'), expect: '401 403 403 403 403 403' },
    { name: 'completion export of the home branch', method: 'GET', path: A('/reports/completion?org=:homeBranch&format=csv'), expect: '401 403 403 403 403 403' },
    { name: 'hours report of the home branch', method: 'GET', path: A('/reports/hours?org=:homeBranch'), expect: '401 403 403 403 403 403' },
    { name: 'audit log of the home branch', method: 'GET', path: A('/audit?org=:homeBranch'), expect: '401 403 403 403 403 403' },
    // Pages
    { name: 'page: dashboard', method: 'GET', path: P('/'), page: true, expect: '303 ok ok ok ok ok' },
    { name: 'page: branch course', method: 'GET', path: P('/courses/mx-branch-course'), page: true, expect: '303 ok 404 404 404 404' },
    { name: 'page: lesson', method: 'GET', path: P('/lessons/:lesson'), page: true, expect: '303 ok 404 404 404 404' },
    { name: 'page: quiz', method: 'GET', path: P('/quizzes/:quiz'), page: true, expect: '303 ok 404 404 404 404' },
    { name: 'page: attempt', method: 'GET', path: P('/attempts/:attempt'), page: true, expect: '303 ok 404 404 404 404' },
    { name: 'page: author course', method: 'GET', path: P('/author/courses/mx-branch-course'), page: true, expect: '303 403 403 403 404 404' },
    { name: 'page: quiz analysis', method: 'GET', path: P('/author/quizzes/:quiz/analysis'), page: true, expect: '303 403 403 403 404 404' },
    { name: 'page: study day', method: 'GET', path: P('/study-days/:studyDay'), page: true, expect: '303 ok 404 404 404 404' },
    { name: 'page: projector', method: 'GET', path: P('/study-days/:studyDay/projector'), page: true, expect: '303 403 403 404 403 404' },
    { name: 'page: person qualification', method: 'GET', path: P('/qualification/people/:cadre'), page: true, expect: '303 403 403 404 403 404' },
    { name: 'page: admin people', method: 'GET', path: P('/admin?orgId=:homeBranch'), page: true, expect: '303 403 403 403 403 403' },
    { name: 'page: admin audit', method: 'GET', path: P('/admin/audit?org=:homeBranch'), page: true, expect: '303 403 403 403 403 403' },
    { name: 'page: reports', method: 'GET', path: P('/reports?org=:homeBranch'), page: true, expect: '303 403 403 403 403 403' },
    { name: 'page: change one’s own password', method: 'GET', path: P('/me/password'), page: true, expect: '303 200 200 200 200 200' },
    { name: 'page: reset form of a live link', method: 'GET', path: P('/reset-password/:resetLink'), page: true, expect: '200 200 200 200 200 200' },
    { name: 'page: reset form of a replaced link', method: 'GET', path: P('/reset-password/:replacedLink'), page: true, expect: '410 410 410 410 410 410' },
  ];

  const cell = (s: string): Cell => (s === 'ok' ? 'ok' : Number(s));
  const table: Array<[string, Row]> = rows.map((r) => [r.name, r]);

  it.each(table)('%s', async (_name, row) => {
    const expected = row.expect.split(/\s+/).map(cell);
    const actual: Record<string, number> = {};
    const want: Record<string, Cell> = {};
    const bad: string[] = [];
    // The in-scope learner runs last: a write that is allowed for them must not change what the others see.
    const order: ActorName[] = [
      'anon',
      'learnerSib',
      'secSib',
      'trainerXS',
      'adminCity2',
      'learner',
    ];
    for (const a of order) {
      const i = ACTORS.indexOf(a);
      const headers: Record<string, string> = row.page ? { accept: 'text/html' } : {};
      const res = await api(row.method, row.path(), {
        token: token(a),
        headers: row.raw ? { ...headers, 'content-type': row.raw.type } : headers,
        ...(row.raw ? { raw: row.raw.text } : row.body ? { body: row.body() } : {}),
      });
      actual[a] = res.status;
      want[a] = expected[i];
      const okStatus = res.status >= 200 && res.status < (row.page ? 400 : 300);
      const good = want[a] === 'ok' ? okStatus : res.status === want[a];
      if (!good) {
        bad.push(`${a}: ${res.status} ${res.text.slice(0, 160)}`);
      }
      if (row.list && a !== 'learner' && res.status < 300) {
        for (const secret of [
          ids.cadre,
          ids.studyDay,
          ids.certificate,
          ids.bank,
          'mx-branch-course',
          '"username":"cadre"',
        ]) {
          if (secret && res.text.includes(secret)) {
            bad.push(`${a}: list leaks ${secret}`);
          }
        }
      }
      // Refusals never carry a stack, SQL or a file path.
      if (res.status >= 400) {
        expect(res.text).not.toMatch(/at \w+ \(|SELECT |\/work\/|node_modules|QueryFailedError/);
      }
    }
    if (process.env.MATRIX_DUMP) {
      appendFileSync(
        process.env.MATRIX_DUMP,
        `${row.name.padEnd(45)} ${ACTORS.map((a) => actual[a]).join(' ')}   (want ${row.expect})\n`,
      );
    }
    expect({ actual, bad }).toEqual({ actual, bad: [] });
  });

  it('changed nothing for the refused writes: no person created, the cadre and the course unchanged', async () => {
    expect(
      await count(t, "SELECT COUNT(*) AS n FROM users WHERE username IN ('mx_new', 'mx_imp')"),
    ).toBe(0);
    const me = await api('GET', '/api/v1/me', { token: w.actors.learner });
    expect(me.json.displayName).not.toBe('改名');
    const course = await api('GET', '/api/v1/courses/mx-branch-course', {
      token: w.actors.learner,
    });
    expect(course.json.title).toBe('支部内部课程');
    expect(await count(t, "SELECT COUNT(*) AS n FROM org_nodes WHERE name = 'mx'")).toBe(0);
    expect(
      await count(t, 'SELECT COUNT(*) AS n FROM questions WHERE bank_id = ?', [ids.bank]),
    ).toBe(3);
    // Passwords: only the cadre's own request changed the cadre's; nobody else's changed; no link was issued
    // for the cadre; the live link of the reset target is still unused and its password untouched.
    expect(await passwordHashOf('cadre')).not.toBe(cadreHash);
    for (const username of [
      'mx_learner_b',
      'mx_secretary_b',
      'mx_trainer_xs',
      'mx_admin_city2',
      'mx_reset_target',
    ]) {
      expect(await passwordHashOf(username)).toBe('x'.repeat(60));
    }
    expect(
      await count(t, 'SELECT COUNT(*) AS n FROM password_resets WHERE user_id = ?', [ids.cadre]),
    ).toBe(0);
    expect(
      await count(
        t,
        'SELECT COUNT(*) AS n FROM password_resets WHERE user_id = ? AND used_at IS NULL AND revoked_at IS NULL',
        [ids.resetTarget],
      ),
    ).toBe(1);
    // The cadre's demo password back, for the sign-ins below.
    await sql(t, 'UPDATE users SET password_hash = ? WHERE username = ?', [cadreHash, 'cadre']);
  });

  it('holds a person who must change their password on /me/password on every page; the API and public pages answer as before', async () => {
    // An officer-set password: the person is flagged. A role refusal (403) comes before the redirect.
    const made = await api('POST', '/api/v1/users', {
      token: w.actors.secretary,
      body: {
        username: 'mx_flagged',
        displayName: 'mx_flagged',
        password: 'Given-by-the-secretary',
        orgId: ids.homeBranch,
      },
    });
    expect(made.status).toBe(201);
    const page = guard.pages(t);
    const signIn = await page.signIn('mx_flagged', 'Given-by-the-secretary');
    expect(signIn.headers.get('location')).toBe('/me/password');
    const bad: string[] = [];
    for (const row of rows.filter((r) => r.page && r.method === 'GET')) {
      const path = row.path();
      const res = await page.get(path);
      const learnerCell = row.expect.split(/\s+/)[ACTORS.indexOf('learner')];
      const want =
        path.startsWith('/reset-password/') || path === '/me/password'
          ? Number(learnerCell)
          : learnerCell === '403'
            ? 403
            : 303;
      if (res.status !== want || (want === 303 && res.headers.get('location') !== '/me/password')) {
        bad.push(`${path}: ${res.status} ${res.headers.get('location') ?? ''} (want ${want})`);
      }
    }
    expect(bad).toEqual([]);
    const token = await t.token('mx_flagged', 'Given-by-the-secretary');
    expect((await api('GET', '/api/v1/me', { token })).status).toBe(200);
    expect((await api('GET', '/api/v1/me/transcript', { token })).status).toBe(200);
  });

  it('a role or branch change takes effect on the person’s next request (token and page session alike)', async () => {
    const sibling = await api('GET', `/api/v1/users/${w.ids.learnerSibling}`, {
      token: w.actors.admin,
    });
    expect(sibling.status).toBe(200);
    const page = guard.pages(t);
    // The sibling learner signs in on a page too: give them a password through the admin first.
    await sql(
      t,
      'UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE username = ?) WHERE id = ?',
      ['cadre', w.ids.learnerSibling],
    );
    expect((await page.signIn('mx_learner_b')).status).toBe(303);
    expect((await page.get(`/study-days/${ids.studyDay}`)).status).toBe(404);
    expect(
      (await api('GET', `/api/v1/study-days/${ids.studyDay}`, { token: w.actors.learnerSibling }))
        .status,
    ).toBe(404);
    // Moved into the home branch: the very next request sees its study day.
    const moved = await api('PATCH', `/api/v1/users/${w.ids.learnerSibling}`, {
      token: w.actors.admin,
      body: { orgId: w.ids.homeBranch },
    });
    expect(moved.status).toBe(200);
    expect(
      (await api('GET', `/api/v1/study-days/${ids.studyDay}`, { token: w.actors.learnerSibling }))
        .status,
    ).toBe(200);
    expect((await page.get(`/study-days/${ids.studyDay}`)).status).toBe(200);
    // Given the secretary role there: the roster opens at once; taken away: refused at once.
    const granted = await api('PATCH', `/api/v1/users/${w.ids.learnerSibling}`, {
      token: w.actors.admin,
      body: { roles: ['learner', 'secretary'] },
    });
    expect(granted.status).toBe(200);
    expect(
      (
        await api('GET', `/api/v1/study-days/${ids.studyDay}/attendance`, {
          token: w.actors.learnerSibling,
        })
      ).status,
    ).toBe(200);
    const revoked = await api('PATCH', `/api/v1/users/${w.ids.learnerSibling}`, {
      token: w.actors.admin,
      body: { roles: ['learner'] },
    });
    expect(revoked.status).toBe(200);
    expect(
      (
        await api('GET', `/api/v1/study-days/${ids.studyDay}/attendance`, {
          token: w.actors.learnerSibling,
        })
      ).status,
    ).toBe(403);
    // Disabled: every token and page session ends on the next request.
    expect(
      (
        await api('PATCH', `/api/v1/users/${w.ids.learnerSibling}`, {
          token: w.actors.admin,
          body: { active: false },
        })
      ).status,
    ).toBe(200);
    expect((await api('GET', '/api/v1/me', { token: w.actors.learnerSibling })).status).toBe(401);
    expect((await page.get('/')).status).toBe(303);
  });

  it('audit: sign-ins, role and scope changes and attendance are recorded, readable by the admin in scope, never editable', async () => {
    const all: Array<{ action: string; id: string; orgId: string | null }> = [];
    let cursor: string | null = null;
    do {
      const res = await api('GET', `/api/v1/audit?limit=200${cursor ? `&cursor=${cursor}` : ''}`, {
        token: w.actors.admin,
      });
      expect(res.status).toBe(200);
      all.push(...res.json.items);
      cursor = res.json.nextCursor;
    } while (cursor);
    const actions = new Set(all.map((e) => e.action));
    for (const a of ['auth.signed_in', 'user.update', 'course.create', 'course.publish']) {
      expect(actions).toContain(a);
    }
    // The other city's admin sees none of these; a bad cursor is a 400, not a 500.
    const foreign = await api('GET', '/api/v1/audit?limit=200', { token: w.actors.adminOtherCity });
    expect(
      foreign.json.items
        .map((e: { id: string }) => e.id)
        .filter((id: string) => all.some((x) => x.id === id)),
    ).toEqual([]);
    expect(
      (await api('GET', '/api/v1/audit?cursor=not-a-cursor', { token: w.actors.admin })).status,
    ).toBe(400);
    const first = all[0] as { id: string };
    for (const method of ['PUT', 'PATCH', 'DELETE', 'POST']) {
      const res = await api(method, `/api/v1/audit/${first.id}`, {
        token: w.actors.admin,
        body: { action: 'x' },
      });
      expect(res.status).toBe(404);
    }
    const page = await api('GET', '/admin/audit', {
      token: w.actors.admin,
      headers: { accept: 'text/html' },
    });
    expect(page.status).toBe(200);
    expect(page.text).toContain('auth.signed_in');
  });

  afterAll(() => {
    expect(guard.seen).toEqual([]);
  });
});
