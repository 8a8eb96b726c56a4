import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiResponse, PageClient, startTestApp, TestApp } from '../helpers/test-app';
import { ContentImportService } from '../../src/content/content-import.service';
import { BOOT_TIMEOUT, count, FiveHundredGuard, makePerson, orgByName, sql } from './support';

/**
 * SECURITY-TESTS.md 38, 42, 46-51: quiz integrity over real HTTP, with the rows read before and after.
 * Covered elsewhere and not repeated here: one grade under concurrent submits and the attempt limit under
 * concurrent starts (concurrency.e2e-spec.ts), answers after the deadline and the auto-close (assessment.e2e-spec.ts).
 * 52 (sequential navigation, prerequisites): the platform has neither; a one-per-screen quiz may be answered in
 * any order by design, so there is nothing to bypass.
 */

/** One question of each type; every feedback carries a marker that must never reach a learner too early. */
const BANK = [
  '::IQ-single:: IQ-S1 七乘六等于多少？ {=42#FBK-S1-RIGHT ~41#FBK-S1-WRONG ~40#FBK-S1-WRONG2 ####GENFB-S1}',
  '',
  '::IQ-multi:: IQ-M1 下列哪些是偶数？ {~%50%2#FBK-M1-2 ~%50%4#FBK-M1-4 ~%-100%3#FBK-M1-3 ~%-100%5#FBK-M1-5}',
  '',
  '::IQ-tf:: IQ-T1 地球绕着太阳转。 {T#FBK-T1-WRONG#FBK-T1-RIGHT}',
  '',
  '::IQ-short:: IQ-SA1 中国的首都是哪座城市？ {=北京#FBK-SA1-RIGHT}',
  '',
  '::IQ-num:: IQ-N1 圆周率保留两位小数是多少？ {#3.14:0.005}',
  '',
  '::IQ-match:: IQ-MT1 把动物和英文配对。 {=猫 -> cat =狗 -> dog =鸟 -> bird}',
  '',
].join('\n');

const OTHER_BANK = [
  '::OB-1:: OB-1 一加一？ {=2 ~3 ~4}',
  '',
  '::OB-2:: OB-2 二加二？ {=4 ~5 ~6}',
  '',
].join('\n');

const tfBank = (prefix: string, n: number): string =>
  Array.from(
    { length: n },
    (_, i) => `::${prefix}${i}:: ${prefix} 第${i + 1}题：这句话是对的。 {${i % 2 ? 'F' : 'T'}}\n`,
  ).join('\n');

/** Keys and markers that carry a per-question mark, the key or the feedback. */
const SECRET_KEYS = [
  '"correct"',
  '"credit"',
  '"correctAnswer"',
  '"feedbackHtml"',
  '"generalFeedbackHtml"',
];
const SECRET_MARKERS = ['FBK-', 'GENFB-'];

interface OpenQuestion {
  id: string;
  type: string;
  html: string;
  options?: Array<{ id: string; html: string }>;
  left?: Array<{ id: string; html: string }>;
  right?: Array<{ id: string; html: string }>;
}

interface Parts {
  options?: Array<{ id: string; html: string; weight: number }>;
  answer?: boolean;
  accepted?: Array<{ text: string; weight: number }>;
  numeric?: Array<{ value: number; tolerance: number; weight: number }>;
  left?: Array<{ id: string; rightId: string }>;
}

interface Learner {
  id: string;
  username: string;
  token: string;
}

const plain = (html: string): string => html.replace(/<[^>]+>/g, '').trim();

describe('Quiz integrity (SECURITY-TESTS.md 38, 42, 46-51)', () => {
  let t: TestApp;
  const guard = new FiveHundredGuard();
  let api: TestApp['api'];
  let trainer: string;
  let bankId: string;
  let otherBankId: string;
  let made = 0;
  let demo = 0;

  const importBank = async (name: string, gift: string): Promise<string> => {
    const res = await api(
      'POST',
      `/api/v1/question-banks/import?format=gift&bankName=${encodeURIComponent(name)}`,
      { token: trainer, raw: gift, headers: { 'content-type': 'text/plain' } },
    );
    expect(res.status).toBe(201);
    return res.json.bankId as string;
  };

  const quizWith = async (bank: string, settings: Record<string, unknown>): Promise<string> => {
    const res = await api('POST', '/api/v1/quizzes', {
      token: trainer,
      body: {
        courseSlug: 'neighbour-mediation',
        title: '完整性测验',
        bankId: bank,
        passMark: 60,
        ...settings,
      },
    });
    expect(res.status).toBe(201);
    return res.json.id as string;
  };

  /** A new member of the demo home branch (API token), enrolled in the course. */
  const learner = async (slug = 'neighbour-mediation'): Promise<Learner> => {
    made += 1;
    const username = `qi${made}_${Date.now().toString(36)}`;
    const person = await makePerson(t, username, await orgByName(t, '阳光社区第一党支部'));
    const enrol = await api('POST', `/api/v1/courses/${slug}/enrol`, {
      token: person.token,
      body: {},
    });
    expect([200, 201]).toContain(enrol.status);
    return { ...person, username };
  };

  /**
   * A member of the home branch who also signs in on the pages: the demo accounts user001-user006 (known
   * password), one per case, enrolled in the course.
   */
  const pageLearner = async (): Promise<Learner & { page: PageClient }> => {
    demo += 1;
    const username = `user00${demo}`;
    const token = await t.token(username);
    const id = (await api('GET', '/api/v1/me', { token })).json.id as string;
    const enrol = await api('POST', '/api/v1/courses/neighbour-mediation/enrol', {
      token,
      body: {},
    });
    expect([200, 201, 409]).toContain(enrol.status);
    const page = guard.pages(t);
    expect((await page.signIn(username)).status).toBe(303);
    return { id, username, token, page };
  };

  const start = async (
    l: Learner,
    quizId: string,
  ): Promise<{ attemptId: string; questions: OpenQuestion[]; deadline: string | null }> => {
    const res = await api('POST', `/api/v1/quizzes/${quizId}/attempts`, { token: l.token });
    expect(res.status).toBe(201);
    return res.json;
  };

  const save = (l: Learner, attemptId: string, questionId: string, response: unknown) =>
    api('PUT', `/api/v1/attempts/${attemptId}/answers`, {
      token: l.token,
      body: { questionId, response },
    });

  const submit = (l: Learner, attemptId: string) =>
    api('POST', `/api/v1/attempts/${attemptId}/submit`, { token: l.token });

  const partsOf = async (questionId: string): Promise<Parts> => {
    const [row] = await sql<{ parts: string }>(t, 'SELECT parts FROM questions WHERE id = ?', [
      questionId,
    ]);
    return JSON.parse(row?.parts ?? '{}') as Parts;
  };

  const rightResponse = async (q: OpenQuestion): Promise<unknown> => {
    const p = await partsOf(q.id);
    switch (q.type) {
      case 'single': {
        const best = Math.max(...(p.options ?? []).map((o) => o.weight));
        return p.options?.find((o) => o.weight === best)?.id;
      }
      case 'multiple':
        return (p.options ?? []).filter((o) => o.weight > 0).map((o) => o.id);
      case 'truefalse':
        return p.answer;
      case 'shortanswer':
        return p.accepted?.[0]?.text;
      case 'numerical':
        return p.numeric?.[0]?.value;
      default:
        return Object.fromEntries((p.left ?? []).map((l) => [l.id, l.rightId]));
    }
  };

  const wrongResponse = async (q: OpenQuestion): Promise<unknown> => {
    const p = await partsOf(q.id);
    switch (q.type) {
      case 'single':
        return p.options?.find((o) => o.weight <= 0)?.id;
      case 'multiple':
        return (p.options ?? []).filter((o) => o.weight <= 0).map((o) => o.id);
      case 'truefalse':
        return !p.answer;
      case 'shortanswer':
        return '上海';
      case 'numerical':
        return (p.numeric?.[0]?.value ?? 0) + 1000;
      default: {
        const left = p.left ?? [];
        return Object.fromEntries(left.map((l, i) => [l.id, left[(i + 1) % left.length]?.rightId]));
      }
    }
  };

  /** The attempt row and its question rows exactly as stored. */
  const snapshot = async (attemptId: string): Promise<string> => {
    const attempt = await sql(
      t,
      'SELECT status, score, max_score, score_percent, passed, started_at, deadline, submitted_at, auto_submitted FROM quiz_attempts WHERE id = ?',
      [attemptId],
    );
    const rows = await sql(
      t,
      'SELECT question_id, position, response, answered_at, credit, correct FROM attempt_questions WHERE attempt_id = ? ORDER BY position',
      [attemptId],
    );
    expect(attempt).toHaveLength(1);
    return JSON.stringify({ attempt, rows });
  };

  const leaks = (text: string, markers: string[] = []): string[] =>
    [...SECRET_KEYS, ...SECRET_MARKERS, ...markers].filter((m) => text.includes(m));

  /** An error answer as a client sees it, without the per-request id. */
  const shape = (res: ApiResponse) => {
    const { requestId: _requestId, ...rest } = (res.json ?? {}) as Record<string, unknown>;
    return { status: res.status, ...rest };
  };

  beforeAll(async () => {
    t = await startTestApp();
    api = guard.wrap(t);
    trainer = await t.token('trainer');
    bankId = await importBank('完整性题库', BANK);
    otherBankId = await importBank('另一个题库', OTHER_BANK);
  }, BOOT_TIMEOUT);

  afterAll(async () => {
    await t?.close();
    expect(guard.seen).toEqual([]);
  });

  it('38: before an after-close quiz closes no endpoint shows a per-question mark, key or feedback; the notebook holds them back too', async () => {
    const closesAt = new Date(Date.now() + 2 * 86_400_000).toISOString();
    const quizId = await quizWith(bankId, {
      review: 'feedback',
      reviewWhen: 'after_close',
      closesAt,
      passMark: 50,
    });
    const l = await pageLearner();
    const { page } = l;
    const started = await start(l, quizId);
    expect(started.questions).toHaveLength(6);
    for (const q of started.questions) {
      expect((await save(l, started.attemptId, q.id, await wrongResponse(q))).status).toBe(200);
    }
    const graded = await submit(l, started.attemptId);
    // The score itself is released at submission by contract (API.md: submit answers {score, maxScore, passed}).
    expect(graded.status).toBe(201);
    expect(graded.json).toMatchObject({ score: 0, maxScore: 6, passed: false });
    expect(leaks(graded.text)).toEqual([]);
    const questionIds = started.questions.map((q) => q.id);
    expect(
      await count(
        t,
        `SELECT COUNT(*) AS n FROM notebook_entries WHERE user_id = ? AND quiz_id = ?`,
        [l.id, quizId],
      ),
    ).toBe(6);

    // The attempt in JSON: score only, and when more will show.
    const view = await api('GET', `/api/v1/attempts/${started.attemptId}`, { token: l.token });
    expect(view.status).toBe(200);
    expect(view.json.review).toBe('score_only');
    expect(view.json.reviewFrom).toBe(closesAt);
    expect(leaks(view.text)).toEqual([]);
    // The same on the result page, the quiz page and its JSON twin.
    const result = await page.get(`/attempts/${started.attemptId}`);
    expect(result.status).toBe(200);
    expect(result.text).toContain('quiz-score');
    expect(result.text).not.toMatch(/quiz-opt-right|data-correct|quiz-review/);
    expect(leaks(result.text)).toEqual([]);
    for (const res of [
      await page.get(`/quizzes/${quizId}`),
      await api('GET', `/api/v1/quizzes/${quizId}`, { token: l.token }),
    ]) {
      expect(res.status).toBe(200);
      expect(leaks(res.text)).toEqual([]);
    }
    // The notebook neither lists the questions nor lets them be practised (practice shows the key at once):
    // answered exactly as for a question that is not there.
    const book = await api('GET', '/api/v1/me/notebook', { token: l.token });
    expect(book.status).toBe(200);
    expect(leaks(book.text, questionIds)).toEqual([]);
    const unknown = await api('POST', `/api/v1/me/notebook/${randomUUID()}/practice`, {
      token: l.token,
      body: { response: true },
    });
    expect(unknown.status).toBe(404);
    for (const q of started.questions) {
      const practice = await api('POST', `/api/v1/me/notebook/${q.id}/practice`, {
        token: l.token,
        body: { response: await rightResponse(q) },
      });
      expect(shape(practice)).toEqual(shape(unknown));
    }
    const bookPage = await page.get('/me/notebook');
    expect(bookPage.status).toBe(200);
    expect(leaks(bookPage.text, ['IQ-S1', 'IQ-M1', 'IQ-T1', 'IQ-SA1', 'IQ-N1', 'IQ-MT1'])).toEqual(
      [],
    );
    const practisePage = await page.post(`/me/notebook/${started.questions[2]?.id}/practice`, {
      _csrf: PageClient.csrf(bookPage.text),
      [`r_${started.questions[2]?.id}`]: 'true',
    });
    expect(practisePage.status).toBe(404);
    expect(leaks(practisePage.text)).toEqual([]);
    // Nothing else a learner reads carries them: home, transcript, course, certificates, qualification, tasks.
    for (const res of [
      await page.get('/'),
      await page.get('/me/transcript'),
      await page.get('/courses/neighbour-mediation'),
      await page.get('/me/certificates'),
      await api('GET', '/api/v1/me/transcript', { token: l.token }),
      await api('GET', '/api/v1/courses/neighbour-mediation', { token: l.token }),
      await api('GET', '/api/v1/me/certificates', { token: l.token }),
      await api('GET', '/api/v1/me/qualification', { token: l.token }),
      await api('GET', '/api/v1/me/tasks', { token: l.token }),
    ]) {
      expect(res.status).toBe(200);
      expect(leaks(res.text, questionIds)).toEqual([]);
    }
    // Nothing was changed by all that reading.
    expect(
      await count(
        t,
        'SELECT COUNT(*) AS n FROM notebook_entries WHERE user_id = ? AND quiz_id = ? AND right_count = 0',
        [l.id, quizId],
      ),
    ).toBe(6);

    // Once the quiz has closed, the review, the page and the notebook show everything (so the checks above bite).
    await sql(t, 'UPDATE quizzes SET closes_at = ? WHERE id = ?', [
      new Date(Date.now() - 1000).toISOString(),
      quizId,
    ]);
    const after = await api('GET', `/api/v1/attempts/${started.attemptId}`, { token: l.token });
    expect(after.json.review).toBe('feedback');
    expect(after.text).toContain('"correctAnswer"');
    expect(after.text).toContain('FBK-');
    expect((await page.get(`/attempts/${started.attemptId}`)).text).toContain('FBK-');
    const bookAfter = await api('GET', '/api/v1/me/notebook', { token: l.token });
    expect(
      (bookAfter.json.items as Array<{ questionId: string }>)
        .map((i) => i.questionId)
        .filter((id) => questionIds.includes(id))
        .sort(),
    ).toEqual([...questionIds].sort());
    const q0 = started.questions[0];
    const practised = await api('POST', `/api/v1/me/notebook/${q0.id}/practice`, {
      token: l.token,
      body: { response: await rightResponse(q0) },
    });
    expect(practised.status).toBe(201);
    expect(practised.json.correct).toBe(true);
  });

  it('42: the server sets the deadline at start, min(start + limit, close), and ignores deadline, startedAt and X-Client-Time', async () => {
    const l = await pageLearner();
    const { page } = l;
    const t0 = Date.now();
    const future = new Date(t0 + 365 * 86_400_000).toISOString();
    const past = new Date(t0 - 3_600_000).toISOString();
    const tampered = {
      body: { deadline: future, startedAt: past, timeLeft: 999_999, timeLimitSeconds: 86_400 },
      headers: { 'x-client-time': future },
    };
    const rowOf = async (attemptId: string) =>
      (
        await sql<{ started_at: string; deadline: string | null }>(
          t,
          'SELECT started_at, deadline FROM quiz_attempts WHERE id = ?',
          [attemptId],
        )
      )[0];

    // The close comes before start + limit: the deadline is the close.
    const closesAt = new Date(t0 + 120_000).toISOString();
    const closing = await quizWith(bankId, { timeLimitSeconds: 600, closesAt });
    const a = await api('POST', `/api/v1/quizzes/${closing}/attempts`, {
      token: l.token,
      ...tampered,
    });
    expect(a.status).toBe(201);
    expect(a.json.deadline).toBe(closesAt);
    const rowA = await rowOf(a.json.attemptId as string);
    expect(new Date(rowA?.deadline ?? 0).toISOString()).toBe(closesAt);
    const startedA = new Date(rowA?.started_at ?? 0).getTime();
    expect(startedA).toBeGreaterThanOrEqual(t0 - 1000);
    expect(startedA).toBeLessThanOrEqual(Date.now() + 1000);

    // A limit alone: exactly start + 60 s, whatever the client claims.
    const limited = await quizWith(bankId, { timeLimitSeconds: 60 });
    const b = await api('POST', `/api/v1/quizzes/${limited}/attempts`, {
      token: l.token,
      ...tampered,
    });
    expect(b.status).toBe(201);
    const attemptId = b.json.attemptId as string;
    const rowB = await rowOf(attemptId);
    const startedB = new Date(rowB?.started_at ?? 0).getTime();
    expect(new Date(rowB?.deadline ?? 0).getTime() - startedB).toBe(60_000);
    expect(b.json.deadline).toBe(new Date(startedB + 60_000).toISOString());
    expect(startedB).toBeGreaterThanOrEqual(t0 - 1000);

    // Fields that would move it are refused on an answer (400, naming the field) and ignored in a form.
    const q = (b.json.questions as OpenQuestion[]).find(
      (x) => x.type === 'truefalse',
    ) as OpenQuestion;
    for (const extra of [{ deadline: future }, { startedAt: past }, { timeLeft: 999_999 }]) {
      const res = await api('PUT', `/api/v1/attempts/${attemptId}/answers`, {
        token: l.token,
        body: { questionId: q.id, response: true, ...extra },
        headers: { 'x-client-time': future },
      });
      expect(res.status).toBe(400);
      expect(res.json.error).toBe('UNKNOWN_FIELD');
      expect(res.json.field).toBe(Object.keys(extra)[0]);
    }
    const form = await page.get(`/attempts/${attemptId}`);
    expect(form.status).toBe(200);
    const posted = await page.post(`/attempts/${attemptId}/answers`, {
      _csrf: PageClient.csrf(form.text),
      deadline: future,
      startedAt: past,
      timeLeft: '999999',
      [`r_${q.id}`]: 'true',
      go: 'stay',
    });
    expect(posted.status).toBe(303);
    expect(await rowOf(attemptId)).toEqual(rowB);

    // Past the server's deadline a client clock that says "still in time" changes nothing: 409, graded at the deadline.
    const deadline = new Date(Date.now() - 1000).toISOString();
    await sql(t, 'UPDATE quiz_attempts SET deadline = ? WHERE id = ?', [deadline, attemptId]);
    const late = await api('PUT', `/api/v1/attempts/${attemptId}/answers`, {
      token: l.token,
      body: { questionId: q.id, response: false },
      headers: { 'x-client-time': new Date(Date.now() - 60_000).toISOString() },
    });
    expect(late.status).toBe(409);
    expect(late.json.error).toBe('ATTEMPT_CLOSED');
    const [closed] = await sql<{ status: string; submitted_at: string }>(
      t,
      'SELECT status, submitted_at FROM quiz_attempts WHERE id = ?',
      [attemptId],
    );
    expect(closed?.status).toBe('submitted');
    expect(new Date(closed?.submitted_at ?? 0).toISOString()).toBe(deadline);
  });

  it('46, 47: a graded attempt is immutable: replayed or changed answers get 409 (API) or change nothing (form), a repeat submit returns the same grade', async () => {
    const quizId = await quizWith(bankId, { attemptsAllowed: 2 });
    const l = await pageLearner();
    const { page } = l;
    const started = await start(l, quizId);
    // The captured request sequence: half right, half wrong.
    const sequence: Array<{ questionId: string; response: unknown }> = [];
    for (const [i, q] of started.questions.entries()) {
      const response = i % 2 ? await wrongResponse(q) : await rightResponse(q);
      sequence.push({ questionId: q.id, response });
      expect((await save(l, started.attemptId, q.id, response)).status).toBe(200);
    }
    const graded = await submit(l, started.attemptId);
    expect(graded.status).toBe(201);
    expect(graded.json).toMatchObject({ score: 3, maxScore: 6 });
    // Each question's stored result (all written by one UPDATE): the right ones full credit, the wrong ones none.
    const stored = await sql<{ question_id: string; credit: number | string; correct: unknown }>(
      t,
      'SELECT question_id, credit, correct FROM attempt_questions WHERE attempt_id = ?',
      [started.attemptId],
    );
    const result = new Map(
      stored.map((r) => [r.question_id, [Number(r.credit), Number(r.correct) === 1]]),
    );
    expect(started.questions.map((q) => result.get(q.id))).toEqual(
      started.questions.map((_, i) => (i % 2 ? [0, false] : [1, true])),
    );
    const before = await snapshot(started.attemptId);
    const ledger = () =>
      count(t, 'SELECT COUNT(*) AS n FROM notebook_entries WHERE user_id = ?', [l.id]);
    const notebookBefore = await ledger();

    // Replay of the same sequence, then every answer changed: 409 each.
    for (const { questionId, response } of sequence) {
      const replay = await save(l, started.attemptId, questionId, response);
      expect(replay.status).toBe(409);
      expect(replay.json.error).toBe('ATTEMPT_CLOSED');
    }
    for (const [i, q] of started.questions.entries()) {
      const changed = i % 2 ? await rightResponse(q) : await wrongResponse(q);
      const res = await save(l, started.attemptId, q.id, changed);
      expect(res.status).toBe(409);
    }
    // Without the session the replay is not even considered.
    const anonymous = await api('PUT', `/api/v1/attempts/${started.attemptId}/answers`, {
      body: sequence[0],
    });
    expect(anonymous.status).toBe(401);
    // A repeated submit is the same grade, not a second one.
    for (let i = 0; i < 3; i++) {
      const again = await submit(l, started.attemptId);
      expect(again.status).toBe(201);
      expect(again.json).toEqual(graded.json);
    }
    // The form on a re-opened page: with the token it changes nothing, without it is refused.
    const review = await page.get(`/attempts/${started.attemptId}`);
    const form: Record<string, string> = { _csrf: PageClient.csrf(review.text), go: 'stay' };
    for (const q of started.questions) {
      form[`r_${q.id}`] = q.type === 'truefalse' ? 'false' : (q.options?.[0]?.id ?? '1');
    }
    const posted = await page.post(`/attempts/${started.attemptId}/answers`, form);
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe(`/attempts/${started.attemptId}`);
    const { _csrf: _token, ...noToken } = form;
    expect((await page.post(`/attempts/${started.attemptId}/answers`, noToken)).status).toBe(403);
    const resubmit = await page.post(`/attempts/${started.attemptId}/submit`, {
      _csrf: PageClient.csrf(review.text),
    });
    expect(resubmit.status).toBe(303);
    // No route edits a grade: the only writes to an attempt are answers and the one grading.
    for (const [method, path] of [
      ['PATCH', `/api/v1/attempts/${started.attemptId}`],
      ['PUT', `/api/v1/attempts/${started.attemptId}`],
      ['POST', `/api/v1/attempts/${started.attemptId}/regrade`],
    ] as const) {
      const res = await api(method, path, { token: trainer, body: { score: 6, passed: true } });
      expect(res.status).toBe(404);
    }
    expect(await snapshot(started.attemptId)).toBe(before);
    expect(await ledger()).toBe(notebookBefore);
  });

  it('46: answers of one attempt cannot be posted to another', async () => {
    const l = await learner();
    const x = await start(l, await quizWith(bankId, {}));
    const y = await start(l, await quizWith(otherBankId, {}));
    const [beforeX, beforeY] = [await snapshot(x.attemptId), await snapshot(y.attemptId)];
    // X's questions (with their right answers) posted to Y.
    for (const q of x.questions) {
      const res = await save(l, y.attemptId, q.id, await rightResponse(q));
      expect(res.status).toBe(400);
      expect(res.json.error).toBe('QUESTION_NOT_IN_ATTEMPT');
      expect(res.json.field).toBe('questionId');
    }
    // Y's questions with X's option ids, and the other way round.
    const xSingle = x.questions.find((q) => q.type === 'single') as OpenQuestion;
    for (const q of y.questions) {
      const res = await save(l, y.attemptId, q.id, xSingle.options?.[0]?.id);
      expect(res.status).toBe(400);
      expect(res.json.error).toBe('INVALID_RESPONSE');
      expect((await save(l, x.attemptId, q.id, q.options?.[0]?.id)).status).toBe(400);
    }
    expect(await snapshot(x.attemptId)).toBe(beforeX);
    expect(await snapshot(y.attemptId)).toBe(beforeY);
  });

  it('48: someone else’s attempt answers exactly like an unknown id; a trainer in scope may read it but not answer or submit', async () => {
    const quizId = await quizWith(bankId, {});
    const owner = await learner();
    const peer = await pageLearner();
    const started = await start(owner, quizId);
    const before = await snapshot(started.attemptId);
    const q = started.questions.find((x) => x.type === 'truefalse') as OpenQuestion;
    const unknown = randomUUID();
    const district = await orgByName(t, '西山区');
    const outsider = await makePerson(t, `qi_trainer_${Date.now().toString(36)}`, district, [
      'trainer',
    ]);
    const calls = (id: string) =>
      [
        ['GET', `/api/v1/attempts/${id}`, undefined],
        ['PUT', `/api/v1/attempts/${id}/answers`, { questionId: q.id, response: true }],
        ['POST', `/api/v1/attempts/${id}/submit`, undefined],
      ] as const;
    const asUnknown = async (token: string) =>
      Promise.all(calls(unknown).map(([method, path, body]) => api(method, path, { token, body })));
    for (const token of [peer.token, outsider.token]) {
      const refused = await Promise.all(
        calls(started.attemptId).map(([method, path, body]) => api(method, path, { token, body })),
      );
      const missing = await asUnknown(token);
      expect(refused.map(shape)).toEqual(missing.map(shape));
      expect(refused.map((r) => r.status)).toEqual([404, 404, 404]);
    }
    // The trainer of the quiz's subtree reviews it, but the answers and the submit are the owner's alone.
    const [read, answer, grade] = await Promise.all(
      calls(started.attemptId).map(([method, path, body]) =>
        api(method, path, { token: trainer, body }),
      ),
    );
    expect(read.status).toBe(200);
    const missing = await asUnknown(trainer);
    expect([shape(answer), shape(grade)]).toEqual([shape(missing[1]), shape(missing[2])]);
    // The page the same way: a peer gets the unknown-id page.
    const { page } = peer;
    const theirs = await page.get(`/attempts/${started.attemptId}`);
    const none = await page.get(`/attempts/${unknown}`);
    expect(theirs.status).toBe(404);
    expect(none.status).toBe(404);
    expect(theirs.text).not.toContain('IQ-');
    expect(await snapshot(started.attemptId)).toBe(before);
  });

  it('49: tampered answers are refused (400) or scored wrong; never a 500, never a score above the maximum or below 0', async () => {
    const quizId = await quizWith(bankId, { review: 'feedback' });
    const l = await learner();
    const started = await start(l, quizId);
    const of = (type: string) => started.questions.find((q) => q.type === type) as OpenQuestion;
    const [single, multiple, tf, short, numeric, matching] = [
      'single',
      'multiple',
      'truefalse',
      'shortanswer',
      'numerical',
      'matching',
    ].map(of);
    const before = await snapshot(started.attemptId);
    const right = (await rightResponse(single)) as string;
    const big = 'x'.repeat(1_000_000);
    const refused: Array<[string, OpenQuestion | string, unknown]> = [
      ['single: option of another question', single, multiple.options?.[0]?.id],
      ['single: no such option', single, 'no-such-option'],
      ['single: duplicated options', single, [right, right]],
      ['single: 10 000 options', single, Array(10_000).fill(right)],
      ['single: an object', single, { id: right }],
      ['single: a number', single, 42],
      ['single: 1 MB', single, big],
      ['multiple: one unknown', multiple, [multiple.options?.[0]?.id, 'no-such-option']],
      ['multiple: option of another question', multiple, [single.options?.[0]?.id]],
      ['multiple: 10 000 options', multiple, Array(10_000).fill(multiple.options?.[0]?.id)],
      ['multiple: a string', multiple, multiple.options?.[0]?.id],
      ['multiple: nested', multiple, [[multiple.options?.[0]?.id]]],
      ['truefalse: a string', tf, 'true'],
      ['truefalse: a number', tf, 1],
      ['truefalse: null', tf, null],
      ['shortanswer: 1 MB', short, big],
      ['shortanswer: a number', short, 123],
      ['shortanswer: an array', short, ['北京']],
      ['numerical: a string', numeric, '3.14'],
      ['numerical: an object', numeric, {}],
      ['matching: a left id of no question', matching, { 'no-such-left': matching.right?.[0]?.id }],
      [
        'matching: a right id of no question',
        matching,
        { [matching.left?.[0]?.id ?? '']: 'no-such' },
      ],
      ['matching: an array', matching, [matching.right?.[0]?.id]],
      ['unknown question', randomUUID(), true],
      ['question id too long', 'q'.repeat(37), true],
    ];
    for (const [label, q, response] of refused) {
      const res = await save(l, started.attemptId, typeof q === 'string' ? q : q.id, response);
      expect([label, res.status]).toEqual([label, 400]);
      expect(['response', 'questionId']).toContain(res.json.field);
    }
    // Numbers JSON cannot hold, and prototype keys, straight in the body.
    const raw = (response: string) =>
      api('PUT', `/api/v1/attempts/${started.attemptId}/answers`, {
        token: l.token,
        raw: `{"questionId":"${numeric.id}","response":${response}}`,
        headers: { 'content-type': 'application/json' },
      });
    for (const response of ['NaN', 'Infinity', '-Infinity', '1e309', '-1e309']) {
      expect([response, (await raw(response)).status]).toEqual([response, 400]);
    }
    const proto = await api('PUT', `/api/v1/attempts/${started.attemptId}/answers`, {
      token: l.token,
      raw: `{"questionId":"${matching.id}","response":{"__proto__":{"${matching.left?.[0]?.id}":"x"}}}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(proto.status).toBe(400);
    expect(await snapshot(started.attemptId)).toBe(before);

    // Accepted but worth nothing: repeated wrong options, 1e308, 500 characters, an empty pairing.
    const wrongOption = (await partsOf(multiple.id)).options?.find((o) => o.weight < 0)?.id;
    const accepted: Array<[OpenQuestion, unknown]> = [
      [multiple, [wrongOption, wrongOption, wrongOption]],
      [numeric, 1e308],
      [short, 'x'.repeat(500)],
      [matching, {}],
      [single, await wrongResponse(single)],
      [tf, await wrongResponse(tf)],
    ];
    for (const [q, response] of accepted) {
      expect((await save(l, started.attemptId, q.id, response)).status).toBe(200);
    }
    const [stored] = await sql<{ response: string }>(
      t,
      'SELECT response FROM attempt_questions WHERE attempt_id = ? AND question_id = ?',
      [started.attemptId, multiple.id],
    );
    expect(JSON.parse(stored?.response ?? 'null')).toEqual([wrongOption]);
    const graded = await submit(l, started.attemptId);
    expect(graded.status).toBe(201);
    expect(graded.json).toMatchObject({ score: 0, maxScore: 6, passed: false });
    const credits = await sql<{ credit: number | string }>(
      t,
      'SELECT credit FROM attempt_questions WHERE attempt_id = ?',
      [started.attemptId],
    );
    expect(credits.map((c) => Number(c.credit))).toEqual(Array(6).fill(0));

    // Duplicates cannot earn more than the maximum: right options repeated count once.
    const again = await start(l, quizId);
    for (const q of again.questions) {
      const response = await rightResponse(q);
      const padded = Array.isArray(response) ? [...response, ...response] : response;
      expect((await save(l, again.attemptId, q.id, padded)).status).toBe(200);
    }
    const full = await submit(l, again.attemptId);
    expect(full.json).toMatchObject({ score: 6, maxScore: 6, scorePercent: 100, passed: true });
    expect(
      await count(
        t,
        'SELECT COUNT(*) AS n FROM attempt_questions WHERE attempt_id = ? AND (credit < 0 OR credit > 1)',
        [again.attemptId],
      ),
    ).toBe(0);
  });

  it('50: the pass mark is inclusive, partial credit is rounded once, and API, result page and quiz page show the same figure', async () => {
    const five = await importBank('五道判断', tfBank('GA', 5));
    const three = await importBank('三道判断', tfBank('GB', 3));
    const thirds = await importBank(
      '三分之二',
      '::GC:: GC 选出三个正确项 {~%33.33333%甲 ~%33.33333%乙 ~%33.33333%丙 ~%-100%丁 ~%-100%戊}\n',
    );
    const l = await pageLearner();
    const { page } = l;
    const take = async (bank: string, passMark: number, rightCount: number, partial = false) => {
      const quizId = await quizWith(bank, { passMark, review: 'feedback' });
      const started = await start(l, quizId);
      for (const [i, q] of started.questions.entries()) {
        let response = i < rightCount ? await rightResponse(q) : await wrongResponse(q);
        if (partial) {
          response = ((await rightResponse(q)) as string[]).slice(0, 2);
        }
        expect((await save(l, started.attemptId, q.id, response)).status).toBe(200);
      }
      const graded = await submit(l, started.attemptId);
      expect(graded.status).toBe(201);
      const view = await api('GET', `/api/v1/attempts/${started.attemptId}`, { token: l.token });
      const result = await page.get(`/attempts/${started.attemptId}`);
      const intro = await page.get(`/quizzes/${quizId}`);
      const { score, maxScore, scorePercent, passed } = graded.json as {
        score: number;
        maxScore: number;
        scorePercent: number;
        passed: boolean;
      };
      // One rule everywhere: percent to two decimals, passed when that figure reaches the pass mark.
      expect(scorePercent).toBe(Math.round((score / maxScore) * 10_000) / 100);
      expect(passed).toBe(scorePercent >= passMark);
      expect(view.json).toMatchObject({ score, maxScore, scorePercent, passed });
      const credits = (view.json.questions as Array<{ credit: number }>).map((q) => q.credit);
      expect(Math.round(credits.reduce((s, c) => s + c, 0) * 10_000) / 10_000).toBe(score);
      expect(result.text).toContain(`${score} / ${maxScore}</strong> (${scorePercent}%)`);
      expect(result.text.includes('<span class="badge ok">通过</span>')).toBe(passed);
      expect(result.text.includes('<span class="badge">未通过</span>')).toBe(!passed);
      expect(intro.text).toContain(`${scorePercent}%`);
      const [row] = await sql<{ score: unknown; score_percent: unknown; passed: unknown }>(
        t,
        'SELECT score, score_percent, passed FROM quiz_attempts WHERE id = ?',
        [started.attemptId],
      );
      expect([
        Number(row?.score),
        Number(row?.score_percent),
        Boolean(Number(row?.passed)),
      ]).toEqual([score, scorePercent, passed]);
      return { score, scorePercent, passed, credits };
    };
    expect(await take(five, 60, 3)).toMatchObject({ score: 3, scorePercent: 60, passed: true });
    expect(await take(five, 61, 3)).toMatchObject({ score: 3, scorePercent: 60, passed: false });
    expect(await take(three, 66, 2)).toMatchObject({ scorePercent: 66.67, passed: true });
    expect(await take(three, 67, 2)).toMatchObject({ scorePercent: 66.67, passed: false });
    // Two of three right options: 2/3 credit, kept to four decimals, never negative, never above 1.
    expect(await take(thirds, 67, 1, true)).toMatchObject({
      score: 0.6667,
      scorePercent: 66.67,
      passed: false,
      credits: [0.6667],
    });
    expect(await take(thirds, 0, 0)).toMatchObject({ score: 0, scorePercent: 0, passed: true });
  });

  it('51: editing a question after attempts exist keeps old attempts on their key and leaves issued certificates unchanged', async () => {
    const slug = 'community-emergency-drill';
    const [quiz] = await sql<{ id: string }>(t, 'SELECT id FROM quizzes WHERE slug = ?', [
      `${slug}-practice-1`,
    ]);
    const quizId = quiz?.id;
    const stem = '关于重点人群名单的管理';
    const oldRight = '只在工作范围内使用，专人保管，定期核对更新';
    const newRight = '贴在楼道公告栏，方便邻居互相照应';
    const target = (questions: OpenQuestion[]) =>
      questions.find((q) => q.html.includes(stem)) as OpenQuestion;
    const optionWith = (q: OpenQuestion, text: string) =>
      q.options?.find((o) => plain(o.html).includes(text))?.id;

    // Before the edit: one learner submits with the old key, another is still answering.
    const done = await learner(slug);
    const a = await start(done, quizId);
    const oldQuestion = target(a.questions);
    expect(oldQuestion).toBeDefined();
    expect(
      (await save(done, a.attemptId, oldQuestion.id, optionWith(oldQuestion, oldRight))).status,
    ).toBe(200);
    expect((await submit(done, a.attemptId)).status).toBe(201);
    const answering = await learner(slug);
    const b = await start(answering, quizId);
    expect(target(b.questions).id).toBe(oldQuestion.id);
    expect(
      (await save(answering, b.attemptId, oldQuestion.id, optionWith(oldQuestion, oldRight)))
        .status,
    ).toBe(200);
    const snapA = await snapshot(a.attemptId);
    const [oldRow] = await sql<{ parts: string }>(t, 'SELECT parts FROM questions WHERE id = ?', [
      oldQuestion.id,
    ]);
    const certificates = await sql<{ id: string }>(t, 'SELECT * FROM certificates ORDER BY id');
    expect(certificates.length).toBeGreaterThan(0);

    // The trainer changes the right option in the bank file and the content is imported again.
    const dir = mkdtempSync(join(tmpdir(), 'cadre-content-'));
    try {
      cpSync(t.config.contentDir, dir, { recursive: true });
      const file = join(dir, 'banks', `${slug}.md`);
      const source = readFileSync(file, 'utf8');
      const edited = source
        .replace(`- [x] ${oldRight}`, `- [ ] ${oldRight}`)
        .replace(`- [ ] ${newRight}`, `- [x] ${newRight}`);
      expect(edited).not.toBe(source);
      writeFileSync(file, edited);
      const report = await t.app.get(ContentImportService).import(dir);
      expect(report.ok).toBe(true);
      expect(report.byKind.banks).toEqual({ changed: 1, unchanged: 8 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    // The old question is kept as it was (retired), with the key the attempts were graded by.
    const [kept] = await sql<{ parts: string; retired: unknown }>(
      t,
      'SELECT parts, retired FROM questions WHERE id = ?',
      [oldQuestion.id],
    );
    expect(kept?.parts).toBe(oldRow?.parts);
    expect(Boolean(Number(kept?.retired))).toBe(true);
    expect(await snapshot(a.attemptId)).toBe(snapA);
    const review = await api('GET', `/api/v1/attempts/${a.attemptId}`, { token: done.token });
    const reviewed = (
      review.json.questions as Array<{
        id: string;
        correct: boolean;
        correctAnswer: { optionIds: string[] };
      }>
    ).find((q) => q.id === oldQuestion.id);
    expect(reviewed?.correct).toBe(true);
    expect(reviewed?.correctAnswer.optionIds).toEqual([optionWith(oldQuestion, oldRight)]);
    // An attempt started before the edit is graded by the question it was shown.
    expect((await submit(answering, b.attemptId)).status).toBe(201);
    const [credit] = await sql<{ credit: unknown }>(
      t,
      'SELECT credit FROM attempt_questions WHERE attempt_id = ? AND question_id = ?',
      [b.attemptId, oldQuestion.id],
    );
    expect(Number(credit?.credit)).toBe(1);
    // A new attempt gets the edited question, graded by the new key.
    const fresh = await learner(slug);
    const c = await start(fresh, quizId);
    const newQuestion = target(c.questions);
    expect(newQuestion.id).not.toBe(oldQuestion.id);
    expect(
      (await save(fresh, c.attemptId, newQuestion.id, optionWith(newQuestion, oldRight))).status,
    ).toBe(200);
    expect((await submit(fresh, c.attemptId)).status).toBe(201);
    const [now] = await sql<{ credit: unknown }>(
      t,
      'SELECT credit FROM attempt_questions WHERE attempt_id = ? AND question_id = ?',
      [c.attemptId, newQuestion.id],
    );
    expect(Number(now?.credit)).toBe(0);
    // Certificates issued before are exactly as they were.
    const ids = certificates.map((c2) => c2.id);
    const after = await sql<{ id: string }>(t, 'SELECT * FROM certificates ORDER BY id');
    expect(after.filter((c2) => ids.includes(c2.id))).toEqual(certificates);
  });
});
