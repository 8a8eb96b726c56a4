import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AttemptsService } from '../src/assessment/attempts.service';
import { PageClient, startTestApp, TestApp } from './helpers/test-app';

const FIXTURE = join(__dirname, '../../shared/fixtures/gift/moodle-examples.gift.txt');

/** Everything that would reveal an answer if it showed up in an open attempt. */
interface Secrets {
  markers: string[];
}

// Booting the app with the demo city and content takes several seconds.
jest.setTimeout(120_000);

describe('assessment (e2e)', () => {
  let t: TestApp;
  let trainer: string;
  let cadre: string;
  let bankId: string;
  let byType: Record<string, number>;

  const quizWith = async (settings: Record<string, unknown>): Promise<string> => {
    const res = await t.api('POST', '/api/v1/quizzes', {
      token: trainer,
      body: { courseSlug: 'neighbour-mediation', title: '测验', bankId, passMark: 60, ...settings },
    });
    expect(res.status).toBe(201);
    return res.json.id as string;
  };

  const enrol = async (token: string, slug = 'neighbour-mediation'): Promise<void> => {
    const res = await t.api('POST', `/api/v1/courses/${slug}/enrol`, { token, body: {} });
    expect([200, 201, 409]).toContain(res.status);
  };

  beforeAll(async () => {
    t = await startTestApp();
    trainer = await t.token('trainer');
    cadre = await t.token('cadre');
    const gift = readFileSync(FIXTURE, 'utf8');
    const res = await t.api(
      'POST',
      '/api/v1/question-banks/import?format=gift&bankName=Moodle%20examples',
      {
        token: trainer,
        raw: gift,
        headers: { 'content-type': 'text/plain' },
      },
    );
    expect(res.status).toBe(201);
    bankId = res.json.bankId as string;
    byType = res.json.byType as Record<string, number>;
    await enrol(cadre);
  });

  afterAll(async () => {
    await t.close();
  });

  it('imports Moodle’s GIFT examples with the right count per type', () => {
    expect(byType).toEqual({
      single: 16,
      multiple: 2,
      truefalse: 5,
      shortanswer: 9,
      numerical: 8,
      matching: 3,
    });
  });

  it('round-trips a bank through GIFT export and import', async () => {
    const exported = await t.api('GET', `/api/v1/question-banks/${bankId}/export?format=gift`, {
      token: trainer,
    });
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toMatch(/attachment/);
    const again = await t.api(
      'POST',
      '/api/v1/question-banks/import?format=gift&bankName=Round%20trip',
      {
        token: trainer,
        raw: exported.text,
        headers: { 'content-type': 'text/plain' },
      },
    );
    expect(again.status).toBe(201);
    expect(again.json.byType).toEqual(byType);
    expect(again.json.errors).toEqual([]);
    const rows = async (id: string): Promise<string[]> =>
      (
        await t.dataSource.query<Array<{ source: string }>>(
          `SELECT source FROM questions WHERE bank_id = $1 ORDER BY position`.replace(
            '$1',
            t.db === 'postgres' ? '$1' : '?',
          ),
          [id],
        )
      ).map((r) => r.source);
    expect(await rows(again.json.bankId as string)).toEqual(await rows(bankId));
    // Importing the same file into the same bank adds nothing.
    const dup = await t.api(
      'POST',
      `/api/v1/question-banks/import?format=gift&bankId=${again.json.bankId as string}`,
      {
        token: trainer,
        raw: exported.text,
        headers: { 'content-type': 'text/plain' },
      },
    );
    expect(dup.json.imported).toBe(0);
    expect(dup.json.duplicates).toBe(43);
  });

  it('round-trips a content bank through bank markdown', async () => {
    const banks = await t.api('GET', '/api/v1/question-banks', { token: trainer });
    const content = (
      banks.json.items as Array<{ id: string; shared: boolean; questions: number }>
    ).find((b) => b.shared);
    expect(content).toBeDefined();
    const md = await t.api(
      'GET',
      `/api/v1/question-banks/${content?.id as string}/export?format=markdown`,
      { token: trainer },
    );
    expect(md.status).toBe(200);
    const back = await t.api(
      'POST',
      '/api/v1/question-banks/import?format=markdown&bankName=Copy',
      { token: trainer, raw: md.text, headers: { 'content-type': 'text/plain' } },
    );
    expect(back.status).toBe(201);
    expect(back.json.imported).toBe(content?.questions);
  });

  it('refuses a file with a malformed question whole unless partial=1 confirms, naming the line', async () => {
    const gift = [
      '::ok1:: 1 + 1 = ? {=2 ~3}',
      '',
      '::bad:: Broken {=yes ~no',
      '',
      '::ok2:: The sky is blue. {T}',
      '',
    ].join('\n');
    const refused = await t.api(
      'POST',
      '/api/v1/question-banks/import?format=gift&bankName=Partial',
      { token: trainer, raw: gift, headers: { 'content-type': 'text/plain' } },
    );
    expect(refused.status).toBe(400);
    expect(refused.json.error).toBe('IMPORT_HAS_ERRORS');
    expect(refused.json.imported).toBe(0);
    expect(refused.json.errors[0].line).toBe(3);
    const count = await t.dataSource.query(
      `SELECT COUNT(*) AS n FROM question_banks WHERE name = 'Partial'`,
    );
    expect(Number((count as Array<{ n: string }>)[0]?.n)).toBe(0);
    const partial = await t.api(
      'POST',
      '/api/v1/question-banks/import?format=gift&bankName=Partial&partial=1',
      { token: trainer, raw: gift, headers: { 'content-type': 'text/plain' } },
    );
    expect(partial.status).toBe(201);
    expect(partial.json.imported).toBe(2);
    expect(partial.json.errors).toHaveLength(1);
    expect(partial.json.errors[0].line).toBe(3);
  });

  it('accepts a multipart upload from the author page with the CSRF token in the query', async () => {
    const page = new PageClient(t.url);
    await page.signIn('trainer');
    const banks = await page.get('/author/banks');
    expect(banks.status).toBe(200);
    const csrf = PageClient.csrf(banks.text);
    const form = new FormData();
    form.append('format', 'gift');
    form.append('bankName', 'Uploaded');
    form.append(
      'file',
      new Blob(['::q:: 2 + 2 = ? {=4 ~5}\n'], { type: 'text/plain' }),
      'q.gift.txt',
    );
    const cookie = ['sid', '_csrf'].map((name) => `${name}=${page.cookie(name) ?? ''}`).join('; ');
    const res = await fetch(`${t.url}/author/banks/import?_csrf=${encodeURIComponent(csrf)}`, {
      method: 'POST',
      body: form,
      headers: { cookie },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('已导入 1 道题');
    const without = await fetch(`${t.url}/author/banks/import`, {
      method: 'POST',
      body: form,
      headers: { cookie },
    });
    expect(without.status).toBe(403);
  });

  describe('an open attempt', () => {
    let quizId: string;
    let secrets: Secrets;

    beforeAll(async () => {
      quizId = await quizWith({ review: 'feedback', shuffleOptions: true, shuffleQuestions: true });
      const rows = await t.dataSource.query<Array<{ parts: string }>>(
        `SELECT parts FROM questions WHERE bank_id = '${bankId}'`,
      );
      const markers = new Set<string>();
      for (const r of rows) {
        const parts = JSON.parse(r.parts) as Record<string, unknown> & {
          options?: Array<{ weight: number; feedbackHtml?: string }>;
        };
        for (const o of parts.options ?? []) {
          if (o.feedbackHtml) {
            markers.add(o.feedbackHtml);
          }
        }
        for (const key of [
          'generalFeedbackHtml',
          'feedbackTrueHtml',
          'feedbackFalseHtml',
          'wrongFeedbackHtml',
        ]) {
          if (typeof parts[key] === 'string') {
            markers.add(parts[key]);
          }
        }
      }
      secrets = { markers: [...markers] };
    });

    it('reveals no answer in the API or the page source', async () => {
      const start = await t.api('POST', `/api/v1/quizzes/${quizId}/attempts`, { token: cadre });
      expect(start.status).toBe(201);
      const json = start.text;
      for (const word of [
        'weight',
        'correct',
        'feedback',
        'answer',
        'accepted',
        'rightId',
        'tolerance',
        'credit',
      ]) {
        expect(json).not.toContain(`"${word}`);
      }
      for (const marker of secrets.markers) {
        expect(json).not.toContain(marker);
      }
      const attemptId = start.json.attemptId as string;
      const view = await t.api('GET', `/api/v1/attempts/${attemptId}`, { token: cadre });
      expect(view.headers.get('cache-control')).toContain('no-store');
      for (const word of ['weight', 'correct', 'feedback', 'accepted', 'rightId', 'tolerance']) {
        expect(view.text).not.toContain(`"${word}`);
      }
      const page = new PageClient(t.url);
      await page.signIn('cadre');
      const html = (await page.get(`/attempts/${attemptId}`)).text;
      expect(html).toContain('quiz-form');
      for (const marker of secrets.markers) {
        expect(html).not.toContain(marker);
      }
      expect(html).not.toMatch(/quiz-opt-right|badge ok|data-correct|quiz-review/);
      // Clean up for the next test: submit.
      await t.api('POST', `/api/v1/attempts/${attemptId}/submit`, { token: cadre });
    });
  });

  it('grades ten concurrent submits once', async () => {
    const quizId = await quizWith({});
    const start = await t.api('POST', `/api/v1/quizzes/${quizId}/attempts`, { token: cadre });
    const attemptId = start.json.attemptId as string;
    const q = (
      start.json.questions as Array<{ id: string; type: string; options?: Array<{ id: string }> }>
    ).find((x) => x.type === 'single');
    if (q?.options?.[0]) {
      expect(
        (
          await t.api('PUT', `/api/v1/attempts/${attemptId}/answers`, {
            token: cadre,
            body: { questionId: q.id, response: q.options[0].id },
          })
        ).status,
      ).toBe(200);
    }
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        t.api('POST', `/api/v1/attempts/${attemptId}/submit`, { token: cadre }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(201));
    const first = JSON.stringify(results[0]?.json);
    expect(results.every((r) => JSON.stringify(r.json) === first)).toBe(true);
    const after = await t.api('PUT', `/api/v1/attempts/${attemptId}/answers`, {
      token: cadre,
      body: { questionId: q?.id, response: q?.options?.[0]?.id },
    });
    expect(after.status).toBe(409);
  });

  it('holds the attempt limit under concurrent starts', async () => {
    const quizId = await quizWith({ attemptsAllowed: 1 });
    const starts = await Promise.all(
      Array.from({ length: 8 }, () =>
        t.api('POST', `/api/v1/quizzes/${quizId}/attempts`, { token: cadre }),
      ),
    );
    // One attempt is created; the other starts resume it.
    const ids = new Set(starts.map((s) => s.json.attemptId as string));
    expect(ids.size).toBe(1);
    const [attemptId] = [...ids];
    await t.api('POST', `/api/v1/attempts/${attemptId}/submit`, { token: cadre });
    const more = await Promise.all(
      Array.from({ length: 5 }, () =>
        t.api('POST', `/api/v1/quizzes/${quizId}/attempts`, { token: cadre }),
      ),
    );
    expect(more.map((r) => r.status)).toEqual(Array(5).fill(409));
    expect(more[0]?.json.error).toBe('NO_ATTEMPTS_LEFT');
    const rows = await t.dataSource.query(
      `SELECT COUNT(*) AS n FROM quiz_attempts WHERE quiz_id = '${quizId}'`,
    );
    expect(Number((rows as Array<{ n: string }>)[0]?.n)).toBe(1);
  });

  it('refuses an answer after the deadline and grades what was saved', async () => {
    const quizId = await quizWith({ timeLimitSeconds: 60 });
    const start = await t.api('POST', `/api/v1/quizzes/${quizId}/attempts`, { token: cadre });
    const attemptId = start.json.attemptId as string;
    expect(Date.parse(start.json.deadline as string) - Date.now()).toBeLessThanOrEqual(60_000);
    const tf = (start.json.questions as Array<{ id: string; type: string }>).find(
      (x) => x.type === 'truefalse',
    ) as { id: string };
    expect(
      (
        await t.api('PUT', `/api/v1/attempts/${attemptId}/answers`, {
          token: cadre,
          body: { questionId: tf.id, response: true },
        })
      ).status,
    ).toBe(200);
    // Wrong shape names the field.
    const bad = await t.api('PUT', `/api/v1/attempts/${attemptId}/answers`, {
      token: cadre,
      body: { questionId: tf.id, response: 'yes' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.field).toBe('response');
    await t.dataSource.query(
      `UPDATE quiz_attempts SET deadline = '${new Date(Date.now() - 1000).toISOString()}' WHERE id = '${attemptId}'`,
    );
    const late = await t.api('PUT', `/api/v1/attempts/${attemptId}/answers`, {
      token: cadre,
      body: { questionId: tf.id, response: false },
    });
    expect(late.status).toBe(409);
    const view = await t.api('GET', `/api/v1/attempts/${attemptId}`, { token: cadre });
    expect(view.json.status).toBe('submitted');
    const saved = (view.json.questions as Array<{ id: string; response: unknown }>).find(
      (x) => x.id === tf.id,
    );
    expect(saved?.response).toBe(true);
  });

  it('grades a submit after the deadline as closed by the deadline, and answers another person’s submit as unknown', async () => {
    const quizId = await quizWith({ timeLimitSeconds: 60 });
    const start = await t.api('POST', `/api/v1/quizzes/${quizId}/attempts`, { token: cadre });
    const attemptId = start.json.attemptId as string;
    const row = async () => {
      const [found] = await t.dataSource.query<
        Array<{
          status: string;
          score: number | null;
          submitted_at: string | null;
          auto_submitted: unknown;
        }>
      >(
        `SELECT status, score, submitted_at, auto_submitted FROM quiz_attempts WHERE id = '${attemptId}'`,
      );
      return found;
    };
    // Someone else (here the trainer, who may read it) cannot hand it in: 404, and it stays open.
    const foreign = await t.api('POST', `/api/v1/attempts/${attemptId}/submit`, { token: trainer });
    expect(foreign.status).toBe(404);
    expect(foreign.json.error).toBe('ATTEMPT_NOT_FOUND');
    expect((await row())?.status).toBe('open');

    const deadline = new Date(Date.now() - 1000).toISOString();
    await t.dataSource.query(
      `UPDATE quiz_attempts SET deadline = '${deadline}' WHERE id = '${attemptId}'`,
    );
    const late = await t.api('POST', `/api/v1/attempts/${attemptId}/submit`, { token: cadre });
    expect(late.status).toBe(201);
    const stored = await row();
    expect(stored?.status).toBe('submitted');
    expect(new Date(stored?.submitted_at ?? 0).toISOString()).toBe(deadline);
    expect([true, 1, '1']).toContain(stored?.auto_submitted);
    // The grade answered is the stored one, and a repeat submit answers it again.
    expect(late.json.score).toBe(Number(stored?.score));
    const again = await t.api('POST', `/api/v1/attempts/${attemptId}/submit`, { token: cadre });
    expect(again.status).toBe(201);
    expect(again.json).toEqual(late.json);
  });

  it('keeps wrong answers in the notebook until answered right twice', async () => {
    const quizId = await quizWith({ review: 'correct_answers' });
    const start = await t.api('POST', `/api/v1/quizzes/${quizId}/attempts`, { token: cadre });
    const attemptId = start.json.attemptId as string;
    const tf = (start.json.questions as Array<{ id: string; type: string }>).find(
      (x) => x.type === 'truefalse',
    ) as { id: string };
    const row = await t.dataSource.query<Array<{ parts: string }>>(
      `SELECT parts FROM questions WHERE id = '${tf.id}'`,
    );
    const answer = (JSON.parse(row[0]?.parts ?? '{}') as { answer: boolean }).answer;
    await t.api('PUT', `/api/v1/attempts/${attemptId}/answers`, {
      token: cadre,
      body: { questionId: tf.id, response: !answer },
    });
    const graded = await t.api('POST', `/api/v1/attempts/${attemptId}/submit`, { token: cadre });
    expect(graded.json.passed).toBe(false);
    const review = await t.api('GET', `/api/v1/attempts/${attemptId}`, { token: cadre });
    const reviewed = (
      review.json.questions as Array<{
        id: string;
        correct: boolean;
        correctAnswer: { answer: boolean };
      }>
    ).find((x) => x.id === tf.id);
    expect(reviewed?.correct).toBe(false);
    expect(reviewed?.correctAnswer.answer).toBe(answer);

    const book = await t.api('GET', '/api/v1/me/notebook', { token: cadre });
    expect(
      (book.json.items as Array<{ questionId: string }>).some((i) => i.questionId === tf.id),
    ).toBe(true);
    const practise = (response: boolean) =>
      t.api('POST', `/api/v1/me/notebook/${tf.id}/practice`, { token: cadre, body: { response } });
    expect((await practise(!answer)).json).toMatchObject({
      correct: false,
      rightCount: 0,
      cleared: false,
    });
    expect((await practise(answer)).json).toMatchObject({
      correct: true,
      rightCount: 1,
      cleared: false,
    });
    expect((await practise(answer)).json).toMatchObject({
      correct: true,
      rightCount: 2,
      cleared: true,
    });
    const after = await t.api('GET', '/api/v1/me/notebook', { token: cadre });
    expect(
      (after.json.items as Array<{ questionId: string }>).some((i) => i.questionId === tf.id),
    ).toBe(false);
    expect((await practise(answer)).status).toBe(404);

    const page = new PageClient(t.url);
    await page.signIn('cadre');
    expect((await page.get('/me/notebook')).status).toBe(200);
  });

  it('counts a question answered wrong again, and brings a cleared one back as newly added', async () => {
    const quizId = await quizWith({ review: 'correct_answers', attemptsAllowed: 3 });
    const learner = await t.token('secretary'); // a notebook of their own, untouched by the other cases
    await enrol(learner);
    /** Answers the true/false question (the given one, else the first) wrong and submits. */
    const attemptWrong = async (
      questionId?: string,
    ): Promise<{ id: string; submittedAt: number }> => {
      const start = await t.api('POST', `/api/v1/quizzes/${quizId}/attempts`, { token: learner });
      expect(start.status).toBe(201);
      const tf = (start.json.questions as Array<{ id: string; type: string }>).find((x) =>
        questionId ? x.id === questionId : x.type === 'truefalse',
      ) as { id: string };
      const [row] = await t.dataSource.query<Array<{ parts: string }>>(
        `SELECT parts FROM questions WHERE id = '${tf.id}'`,
      );
      const answer = (JSON.parse(row?.parts ?? '{}') as { answer: boolean }).answer;
      await t.api('PUT', `/api/v1/attempts/${start.json.attemptId as string}/answers`, {
        token: learner,
        body: { questionId: tf.id, response: !answer },
      });
      const before = Date.now();
      const graded = await t.api(
        'POST',
        `/api/v1/attempts/${start.json.attemptId as string}/submit`,
        { token: learner },
      );
      expect(graded.status).toBe(201);
      return { id: tf.id, submittedAt: before };
    };
    const entryOf = async (questionId: string) => {
      const book = await t.api('GET', '/api/v1/me/notebook', { token: learner });
      return (
        book.json.items as Array<{ questionId: string; timesWrong: number; addedAt: string }>
      ).find((i) => i.questionId === questionId);
    };

    const first = await attemptWrong();
    const added = await entryOf(first.id);
    expect(added).toMatchObject({ timesWrong: 1 });
    // Wrong again while still in the notebook: counted, and still added when it first was.
    await attemptWrong(first.id);
    expect(await entryOf(first.id)).toMatchObject({ timesWrong: 2, addedAt: added?.addedAt });

    // Cleared by two right answers, then wrong in a new attempt: back, counted, added anew.
    const [row] = await t.dataSource.query<Array<{ parts: string }>>(
      `SELECT parts FROM questions WHERE id = '${first.id}'`,
    );
    const answer = (JSON.parse(row?.parts ?? '{}') as { answer: boolean }).answer;
    for (let i = 0; i < 2; i++) {
      await t.api('POST', `/api/v1/me/notebook/${first.id}/practice`, {
        token: learner,
        body: { response: answer },
      });
    }
    expect(await entryOf(first.id)).toBeUndefined();
    const third = await attemptWrong(first.id);
    const back = await entryOf(first.id);
    expect(back).toMatchObject({ timesWrong: 3 });
    expect(Date.parse(back?.addedAt ?? '')).toBeGreaterThanOrEqual(third.submittedAt - 1000);
    expect(Date.parse(back?.addedAt ?? '')).toBeGreaterThan(Date.parse(added?.addedAt ?? ''));
    const [stored] = await t.dataSource.query<
      Array<{ right_count: number | string; cleared_at: string | null }>
    >(`SELECT right_count, cleared_at FROM notebook_entries WHERE question_id = '${first.id}'
       AND user_id = (SELECT id FROM users WHERE username = 'secretary')`);
    expect(Number(stored?.right_count)).toBe(0);
    expect(stored?.cleared_at).toBeNull();
  });

  it('lets a learner take a quiz through the pages without script', async () => {
    const quizId = await quizWith({
      layout: 'one',
      questionCount: 3,
      review: 'feedback',
      timeLimitSeconds: 600,
    });
    const page = new PageClient(t.url);
    await page.signIn('cadre');
    const intro = await page.get(`/quizzes/${quizId}`);
    expect(intro.status).toBe(200);
    const started = await page.post(`/quizzes/${quizId}/start`, {
      _csrf: PageClient.csrf(intro.text),
    });
    expect(started.status).toBe(303);
    const location = started.headers.get('location') as string;
    const attemptId = location.split('/').pop() as string;
    const first = await page.get(location);
    expect(first.text).toContain('data-deadline');
    const api = await t.api('GET', `/api/v1/attempts/${attemptId}`, { token: cadre });
    const q1 = (
      api.json.questions as Array<{ id: string; type: string; options?: Array<{ id: string }> }>
    )[0];
    const form: Record<string, string> = {
      _csrf: PageClient.csrf(first.text),
      screen: '1',
      go: 'next',
    };
    if (q1.type === 'truefalse') {
      form[`r_${q1.id}`] = 'true';
    } else if (q1.options) {
      form[`r_${q1.id}`] = q1.options[0]?.id ?? '';
    } else if (q1.type === 'numerical') {
      form[`r_${q1.id}`] = '１２';
    } else if (q1.type === 'shortanswer') {
      form[`r_${q1.id}`] = 'x';
    }
    const saved = await page.post(`/attempts/${attemptId}/answers`, form);
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe(`/attempts/${attemptId}?q=2`);
    if (q1.type !== 'matching') {
      const check = await t.api('GET', `/api/v1/attempts/${attemptId}`, { token: cadre });
      expect(check.json.questions[0].response).not.toBeNull();
    }
    const confirm = await page.get(`/attempts/${attemptId}/confirm`);
    expect(confirm.status).toBe(200);
    const submitted = await page.post(`/attempts/${attemptId}/submit`, {
      _csrf: PageClient.csrf(confirm.text),
    });
    expect(submitted.status).toBe(303);
    const result = await page.get(`/attempts/${attemptId}`);
    expect(result.text).toContain('quiz-score');
  });

  it('shows item analysis only to trainers whose subtree holds the quiz', async () => {
    const quizId = await quizWith({});
    const analysis = await t.api('GET', `/api/v1/quizzes/${quizId}/analysis`, { token: trainer });
    expect(analysis.status).toBe(200);
    expect(analysis.json.attempts).toBeGreaterThanOrEqual(0);
    // The demo's shared final tests have attempts.
    const quizzes = await t.dataSource.query<Array<{ id: string }>>(
      `SELECT id FROM quizzes WHERE slug = 'first-30-days-final'`,
    );
    const shared = await t.api('GET', `/api/v1/quizzes/${quizzes[0]?.id}/analysis`, {
      token: trainer,
    });
    expect(shared.status).toBe(200);
    expect(shared.json.attempts).toBeGreaterThan(5);
    expect(shared.json.questions[0]).toHaveProperty('discrimination');
    const trainerPages = new PageClient(t.url);
    await trainerPages.signIn('trainer');
    const analysisPage = await trainerPages.get(
      `/author/quizzes/${quizzes[0]?.id}/analysis?lang=en`,
    );
    expect(analysisPage.status).toBe(200);
    expect(analysisPage.text).toContain('Discrimination');
    // A trainer of one district does not see a quiz of another district.
    const orgs = await t.dataSource.query<Array<{ id: string }>>(
      `SELECT id, path FROM org_nodes WHERE kind = 'district' ORDER BY path`,
    );
    const admin = await t.token('admin');
    const [d1, d2] = orgs;
    const mk = async (username: string, orgId: string): Promise<string> => {
      const res = await t.api('POST', '/api/v1/users', {
        token: admin,
        body: {
          username,
          displayName: username,
          password: 'Xk4!pLm9Qz',
          orgId,
          roles: ['trainer'],
        },
      });
      expect([201, 200]).toContain(res.status);
      return t.token(username, 'Xk4!pLm9Qz');
    };
    // Users live at a community or branch; put the trainer at a branch under each district.
    const branchOf = async (districtId: string): Promise<string> =>
      (
        await t.dataSource.query<Array<{ id: string }>>(
          `SELECT id FROM org_nodes WHERE kind = 'branch' AND path LIKE '%/${districtId}/%' ORDER BY path LIMIT 1`,
        )
      )[0]?.id;
    const t1 = await mk('trainer_d1', await branchOf(d1?.id));
    const t2 = await mk('trainer_d2', await branchOf(d2?.id));
    const imported = await t.api(
      'POST',
      '/api/v1/question-banks/import?format=gift&bankName=Local',
      { token: t1, raw: '::q:: 1 + 1 = ? {=2 ~3}\n', headers: { 'content-type': 'text/plain' } },
    );
    expect(imported.status).toBe(201);
    const local = await t.api('POST', '/api/v1/quizzes', {
      token: t1,
      body: {
        courseSlug: 'neighbour-mediation',
        title: 'Local',
        bankId: imported.json.bankId,
        passMark: 60,
      },
    });
    expect(local.status).toBe(201);
    expect(
      (await t.api('GET', `/api/v1/quizzes/${local.json.id as string}/analysis`, { token: t1 }))
        .status,
    ).toBe(200);
    expect(
      (await t.api('GET', `/api/v1/quizzes/${local.json.id as string}/analysis`, { token: t2 }))
        .status,
    ).toBe(404);
    expect(
      (await t.api('GET', `/api/v1/quizzes/${local.json.id as string}/analysis`, { token: cadre }))
        .status,
    ).toBe(403);
    expect(
      (
        await t.api(
          'GET',
          `/api/v1/question-banks/${imported.json.bankId as string}/export?format=gift`,
          { token: t2 },
        )
      ).status,
    ).toBe(404);
  });

  it('lists a course’s quizzes in GET /courses/:slug and credits the demo cadre’s pass', async () => {
    const course = await t.api('GET', '/api/v1/courses/first-30-days', { token: cadre });
    expect(course.status).toBe(200);
    const finals = (course.json.quizzes as Array<{ isFinal: boolean; passed: boolean }>).filter(
      (q) => q.isFinal,
    );
    expect(finals.some((q) => q.passed)).toBe(true);
    const book = await t.api('GET', '/api/v1/me/notebook', { token: cadre });
    expect(book.json.items.length).toBeGreaterThanOrEqual(2);
    const ledger = await t.dataSource.query<Array<{ activity_id: string }>>(
      `SELECT activity_id FROM study_hour_ledger WHERE activity_type = 'quiz'`,
    );
    const final = await t.dataSource.query<Array<{ id: string }>>(
      `SELECT id FROM quizzes WHERE slug = 'first-30-days-final'`,
    );
    expect(ledger.map((r) => r.activity_id)).toContain(final[0]?.id);
  });

  it('imports content/banks idempotently', async () => {
    const { ContentImportService } = await import('../src/content/content-import.service');
    const before = await t.dataSource.query(`SELECT COUNT(*) AS n FROM questions`);
    const report = await t.app.get(ContentImportService).import(t.config.contentDir);
    expect(report.ok).toBe(true);
    expect(report.byKind.banks).toEqual({ changed: 0, unchanged: 9 });
    expect(await t.dataSource.query(`SELECT COUNT(*) AS n FROM questions`)).toEqual(before);
    const quizzes = await t.dataSource.query<Array<{ n: string }>>(
      `SELECT COUNT(*) AS n FROM quizzes WHERE slug IS NOT NULL`,
    );
    expect(Number(quizzes[0]?.n)).toBeGreaterThanOrEqual(9);
  });

  // Last in this file: it shuts the attempts service down as the application does when it stops.
  it('at shutdown waits for a running sweep of overdue attempts, which stops before the next one', async () => {
    await enrol(cadre);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const quizId = await quizWith({ timeLimitSeconds: 60 });
      const start = await t.api('POST', `/api/v1/quizzes/${quizId}/attempts`, { token: cadre });
      expect(start.status).toBe(201);
      ids.push(start.json.attemptId as string);
    }
    const list = ids.map((id) => `'${id}'`).join(', ');
    await t.dataSource.query(
      `UPDATE quiz_attempts SET deadline = '${new Date(Date.now() - 1000).toISOString()}' WHERE id IN (${list})`,
    );
    const attempts = t.app.get(AttemptsService);
    const sweeping = attempts.sweep();
    expect(attempts.sweep()).toBe(sweeping); // one sweep at a time
    let settled = false;
    void sweeping.then(() => (settled = true));
    await attempts.onModuleDestroy();
    expect(settled).toBe(true);
    expect(await sweeping).toBe(0);
    const open: Array<{ n: string | number }> = await t.dataSource.query(
      `SELECT COUNT(*) AS n FROM quiz_attempts WHERE status = 'open' AND id IN (${list})`,
    );
    expect(Number(open[0]?.n)).toBe(3);
  });
});
