import { EventEmitter2 } from '@nestjs/event-emitter';
import { DateTime } from 'luxon';
import { currentCode } from '../../src/attendance/check-in-code';
import { CertificateEntity } from '../../src/certification/certificate.entity';
import { CertificationFacts, FactSources } from '../../src/certification/certification-facts';
import { IssuingService } from '../../src/certification/issuing.service';
import { startTestApp, TestApp } from '../helpers/test-app';
import { BOOT_TIMEOUT, count, FiveHundredGuard, makePerson, orgByName, sql } from './support';
import { sameDayTimes } from '../helpers/study-day-times';

/**
 * SECURITY-TESTS.md 85, 86, 89, 90 and issue 9 part 4: races that must hold. Each case fires 10-50 requests at
 * once and then reads the rows themselves, not only the answers.
 */
const GIFT = [
  '::c1:: 1 + 1 = ? {=2 ~3 ~4}',
  '',
  '::c2:: The sky is blue. {T}',
  '',
  '::c3:: 2 + 2 = ? {=4 ~5 ~6}',
  '',
].join('\n');

const ZONE = 'Asia/Shanghai';

describe('Integrity under concurrency', () => {
  let t: TestApp;
  const guard = new FiveHundredGuard();
  let api: TestApp['api'];
  let trainer: string;
  let admin: string;
  let bankId: string;
  let homeBranchId: string;
  let tag = 0;

  /** A fresh member of the demo home branch, signed in by token (a clean slate for every race). */
  const person = async (): Promise<{ id: string; token: string }> => {
    const home = await orgByName(t, '阳光社区第一党支部');
    tag += 1;
    return makePerson(t, `race${tag}_${Date.now().toString(36)}`, home);
  };

  const quizWith = async (settings: Record<string, unknown>): Promise<string> => {
    const res = await api('POST', '/api/v1/quizzes', {
      token: trainer,
      body: {
        courseSlug: 'neighbour-mediation',
        title: '并发测验',
        bankId,
        passMark: 60,
        ...settings,
      },
    });
    expect(res.status).toBe(201);
    return res.json.id as string;
  };

  const enrol = async (token: string, slug: string): Promise<void> => {
    const res = await api('POST', `/api/v1/courses/${slug}/enrol`, { token, body: {} });
    expect([200, 201]).toContain(res.status);
  };

  const many = <T>(n: number, f: (i: number) => Promise<T>): Promise<T[]> =>
    Promise.all(Array.from({ length: n }, (_, i) => f(i)));

  beforeAll(async () => {
    t = await startTestApp();
    api = guard.wrap(t);
    [trainer, admin] = await Promise.all([t.token('trainer'), t.token('admin')]);
    homeBranchId = (await orgByName(t, '阳光社区第一党支部')).id;
    const res = await api(
      'POST',
      '/api/v1/question-banks/import?format=gift&bankName=%E5%B9%B6%E5%8F%91',
      { token: trainer, raw: GIFT, headers: { 'content-type': 'text/plain' } },
    );
    expect(res.status).toBe(201);
    bankId = res.json.bankId as string;
  }, BOOT_TIMEOUT);

  afterAll(async () => {
    await t?.close();
    expect(guard.seen).toEqual([]);
  });

  it('grades an attempt once under 40 concurrent submits, every answer the same result', async () => {
    const p = await person();
    await enrol(p.token, 'neighbour-mediation');
    const quizId = await quizWith({});
    const start = await api('POST', `/api/v1/quizzes/${quizId}/attempts`, { token: p.token });
    expect(start.status).toBe(201);
    const attemptId = start.json.attemptId as string;
    const questions = start.json.questions as Array<{
      id: string;
      type: string;
      options?: Array<{ id: string }>;
    }>;
    // Answers saved concurrently too: each question once, all acknowledged.
    const saves = await Promise.all(
      questions.map((q) =>
        api('PUT', `/api/v1/attempts/${attemptId}/answers`, {
          token: p.token,
          body: { questionId: q.id, response: q.type === 'truefalse' ? true : q.options?.[0]?.id },
        }),
      ),
    );
    expect(saves.map((r) => r.status)).toEqual(saves.map(() => 200));
    const results = await many(40, () =>
      api('POST', `/api/v1/attempts/${attemptId}/submit`, { token: p.token }),
    );
    expect(results.map((r) => r.status)).toEqual(Array(40).fill(201));
    const first = JSON.stringify(results[0]?.json);
    expect(results.filter((r) => JSON.stringify(r.json) !== first)).toEqual([]);
    const rows = await sql<{
      status: string;
      score: unknown;
      passed: unknown;
      submitted_at: unknown;
    }>(t, 'SELECT status, score, passed, submitted_at FROM quiz_attempts WHERE quiz_id = ?', [
      quizId,
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.status).toBe('submitted');
    expect(rows[0]?.score).not.toBeNull();
    expect(rows[0]?.submitted_at).not.toBeNull();
    expect(Number(rows[0]?.score)).toBe(results[0]?.json.score);
    // Every question graded exactly once: none left without a credit.
    expect(
      await count(
        t,
        'SELECT COUNT(*) AS n FROM attempt_questions WHERE attempt_id = ? AND credit IS NULL',
        [attemptId],
      ),
    ).toBe(0);
    const late = await api('PUT', `/api/v1/attempts/${attemptId}/answers`, {
      token: p.token,
      body: { questionId: questions[0]?.id, response: questions[0]?.options?.[0]?.id ?? true },
    });
    expect(late.status).toBe(409);
  });

  it('answers saved at once by several learners: each written to its own attempt, a stranger’s and a closed one refused', async () => {
    const [ann, bo] = await Promise.all([person(), person()]);
    await Promise.all([
      enrol(ann.token, 'neighbour-mediation'),
      enrol(bo.token, 'neighbour-mediation'),
    ]);
    const quizId = await quizWith({ attemptsAllowed: 2 });
    type Started = {
      attemptId: string;
      questions: Array<{ id: string; type: string; options?: Array<{ id: string }> }>;
    };
    const start = async (token: string): Promise<Started> => {
      const res = await api('POST', `/api/v1/quizzes/${quizId}/attempts`, { token });
      expect(res.status).toBe(201);
      return res.json;
    };
    const response = (q: Started['questions'][number]) =>
      q.type === 'truefalse' ? false : q.options?.[1]?.id;
    // Ann's first attempt handed in, then a second one open; Bo's open.
    const closed = await start(ann.token);
    expect(
      (await api('POST', `/api/v1/attempts/${closed.attemptId}/submit`, { token: ann.token }))
        .status,
    ).toBe(201);
    const [annOpen, boOpen] = [await start(ann.token), await start(bo.token)];
    const save = (token: string, attempt: Started, q: Started['questions'][number]) =>
      api('PUT', `/api/v1/attempts/${attempt.attemptId}/answers`, {
        token,
        body: { questionId: q.id, response: response(q) },
      });
    const results = await Promise.all([
      ...annOpen.questions.map((q) => save(ann.token, annOpen, q)),
      ...boOpen.questions.map((q) => save(bo.token, boOpen, q)),
      save(bo.token, annOpen, annOpen.questions[0]),
      save(ann.token, closed, closed.questions[0]),
    ]);
    const n = annOpen.questions.length + boOpen.questions.length;
    expect(results.map((r) => r.status)).toEqual([...Array(n).fill(200), 404, 409]);
    for (const [attempt, answered] of [
      [annOpen, annOpen.questions.length],
      [boOpen, boOpen.questions.length],
      [closed, 0],
    ] as const) {
      expect(
        await count(
          t,
          'SELECT COUNT(*) AS n FROM attempt_questions WHERE attempt_id = ? AND response IS NOT NULL AND answered_at IS NOT NULL',
          [attempt.attemptId],
        ),
      ).toBe(answered);
    }
    // What each learner saved is what their attempt holds, not the other's.
    const stored = await sql<{ question_id: string; response: string }>(
      t,
      'SELECT question_id, response FROM attempt_questions WHERE attempt_id = ?',
      [annOpen.attemptId],
    );
    for (const q of annOpen.questions) {
      expect(JSON.parse(stored.find((r) => r.question_id === q.id)!.response)).toEqual(response(q));
    }
  });

  it('holds the attempt limit: 30 concurrent starts per round create one attempt, beyond the limit all 409', async () => {
    const p = await person();
    await enrol(p.token, 'neighbour-mediation');
    const quizId = await quizWith({ attemptsAllowed: 2 });
    for (let round = 1; round <= 2; round++) {
      const starts = await many(30, () =>
        api('POST', `/api/v1/quizzes/${quizId}/attempts`, { token: p.token }),
      );
      // One attempt is created (201); every other start resumes that same open attempt (200).
      expect(starts.filter((s) => s.status === 201 && s.json.resumed === false)).toHaveLength(1);
      expect(starts.filter((s) => s.status === 200 && s.json.resumed === true)).toHaveLength(29);
      const ids = new Set(starts.map((s) => s.json.attemptId as string));
      expect(ids.size).toBe(1);
      const [attemptId] = [...ids];
      expect(
        await count(
          t,
          'SELECT COUNT(*) AS n FROM quiz_attempts WHERE quiz_id = ? AND user_id = ?',
          [quizId, p.id],
        ),
      ).toBe(round);
      expect(
        (await api('POST', `/api/v1/attempts/${attemptId}/submit`, { token: p.token })).status,
      ).toBe(201);
    }
    const beyond = await many(30, () =>
      api('POST', `/api/v1/quizzes/${quizId}/attempts`, { token: p.token }),
    );
    expect(beyond.map((r) => r.status)).toEqual(Array(30).fill(409));
    expect(new Set(beyond.map((r) => r.json.error as string))).toEqual(
      new Set(['NO_ATTEMPTS_LEFT']),
    );
    const rows = await sql<{ number: number | string; status: string }>(
      t,
      'SELECT number, status FROM quiz_attempts WHERE quiz_id = ? AND user_id = ? ORDER BY number',
      [quizId, p.id],
    );
    expect(rows.map((r) => [Number(r.number), r.status])).toEqual([
      [1, 'submitted'],
      [2, 'submitted'],
    ]);
  });

  it('keeps one attendance record per person per occurrence under concurrent check-ins', async () => {
    const { start, end } = sameDayTimes(
      DateTime.now().setZone(ZONE).startOf('minute').plus({ minutes: 10 }),
      120,
    );
    const iso = (dt: DateTime): string => dt.toISO({ suppressMilliseconds: true }) as string;
    const created = await api('POST', `/api/v1/branches/${homeBranchId}/study-days`, {
      token: admin,
      body: {
        topic: '并发签到',
        startsAt: iso(start),
        endsAt: iso(end),
        place: '活动室',
      },
    });
    expect(created.status).toBe(201);
    const sessionId = created.json.occurrences[0].id as string;
    expect(
      (await api('POST', `/api/v1/study-days/${sessionId}/check-in-code`, { token: admin })).status,
    ).toBe(200);
    const [row] = await sql<{ check_in_secret: string }>(
      t,
      'SELECT check_in_secret FROM attendance_sessions WHERE id = ?',
      [sessionId],
    );
    const code = (): string => currentCode(row?.check_in_secret, new Date()).code;

    // One person, 40 check-ins at once: one 201, the rest "already checked in".
    const one = await person();
    const same = await many(40, () =>
      api('POST', `/api/v1/study-days/${sessionId}/check-in`, {
        token: one.token,
        body: { code: code() },
      }),
    );
    expect(same.filter((r) => r.status === 201)).toHaveLength(1);
    expect(same.filter((r) => r.status !== 201).map((r) => [r.status, r.json.error])).toEqual(
      Array(39).fill([409, 'ALREADY_CHECKED_IN']),
    );
    // Ten people, five duplicates each, all interleaved: ten records, every 2xx has its row.
    const people = await Promise.all(Array.from({ length: 10 }, () => person()));
    const mixed = await many(50, (i) => {
      const p = people[i % 10];
      return api('POST', `/api/v1/study-days/${sessionId}/check-in`, {
        token: p.token,
        body: { code: code() },
      }).then((res) => ({ res, userId: p.id }));
    });
    const acked = mixed.filter((m) => m.res.status === 201).map((m) => m.userId);
    expect(new Set(acked).size).toBe(10);
    expect(acked).toHaveLength(10);
    expect(mixed.filter((m) => m.res.status !== 201 && m.res.status !== 409)).toEqual([]);
    const records = await sql<{ user_id: string }>(
      t,
      'SELECT user_id FROM attendance_records WHERE session_id = ?',
      [sessionId],
    );
    expect(records.map((r) => r.user_id).sort()).toEqual([one.id, ...acked].sort());
    expect(
      await count(
        t,
        'SELECT COUNT(*) AS n FROM (SELECT user_id FROM attendance_records GROUP BY session_id, user_id HAVING COUNT(*) > 1) d',
      ),
    ).toBe(0);
  });

  it('credits a lesson once under 40 concurrent completes: one progress row, one ledger row', async () => {
    const p = await person();
    await enrol(p.token, 'community-emergency-drill');
    const course = await api('GET', '/api/v1/courses/community-emergency-drill', {
      token: p.token,
    });
    const lessonId = course.json.modules[0].lessons[0].id as string;
    const results = await many(40, () =>
      api('POST', `/api/v1/lessons/${lessonId}/complete`, { token: p.token }),
    );
    expect(results.map((r) => r.status)).toEqual(Array(40).fill(200));
    expect(results.filter((r) => r.json.credited === true)).toHaveLength(1);
    expect(
      await count(
        t,
        'SELECT COUNT(*) AS n FROM study_hour_ledger WHERE user_id = ? AND activity_id = ?',
        [p.id, lessonId],
      ),
    ).toBe(1);
    expect(
      await count(
        t,
        'SELECT COUNT(*) AS n FROM lesson_progress WHERE user_id = ? AND lesson_id = ? AND completed_at IS NOT NULL',
        [p.id, lessonId],
      ),
    ).toBe(1);
    expect(
      await count(
        t,
        'SELECT COUNT(*) AS n FROM (SELECT user_id FROM study_hour_ledger GROUP BY user_id, activity_type, activity_id HAVING COUNT(*) > 1) d',
      ),
    ).toBe(0);
  });

  describe('certificates', () => {
    /** People whose facts meet the initial-training rule (faked as the certification spec does); others read the real ones. */
    const qualified = new Set<string>();
    let issuing: IssuingService;

    beforeAll(() => {
      issuing = t.app.get(IssuingService);
      const facts = t.app.get(CertificationFacts);
      const real: FactSources = facts.sources;
      const now = new Date();
      facts.useSources({
        completedCourses: async (id) =>
          qualified.has(id)
            ? [{ slug: 'first-30-days', trainingKind: 'initial', completedAt: now }]
            : real.completedCourses(id),
        passedQuizzes: async (id) =>
          qualified.has(id)
            ? [{ courseSlug: 'first-30-days', scorePercent: 90, passedAt: now, isFinal: true }]
            : real.passedQuizzes(id),
        hoursBetween: async (id, from, to) =>
          qualified.has(id)
            ? { total: 4, byKind: { initial: 4 } }
            : real.hoursBetween(id, from, to),
      });
    });

    it('issues one certificate per rule and period under 30 concurrent evaluations of one person', async () => {
      const p = await person();
      qualified.add(p.id);
      const events = t.app.get(EventEmitter2);
      const issued = await many(30, (i) =>
        i % 3 === 0
          ? events.emitAsync('quiz.passed', { userId: p.id }).then(() => [])
          : i % 3 === 1
            ? events.emitAsync('course.completed', { userId: p.id }).then(() => [])
            : issuing.evaluateAndIssue(p.id),
      );
      expect(
        issued.flat().filter((c) => c.ruleKey === 'initial-training').length,
      ).toBeLessThanOrEqual(1);
      const rows = await sql<{ rule_key: string; period_key: string; n: number | string }>(
        t,
        'SELECT rule_key, period_key, COUNT(*) AS n FROM certificates WHERE user_id = ? GROUP BY rule_key, period_key',
        [p.id],
      );
      expect(rows.find((r) => r.rule_key === 'initial-training')).toBeDefined();
      expect(rows.filter((r) => Number(r.n) !== 1)).toEqual([]);
      // What the holder sees over HTTP agrees with the rows.
      const mine = await api('GET', '/api/v1/me/certificates', { token: p.token });
      expect(mine.status).toBe(200);
      expect(mine.json.items).toHaveLength(rows.length);
    });

    it('gives 30 people issued at once 30 distinct serials', async () => {
      const people = await Promise.all(Array.from({ length: 30 }, () => person()));
      for (const p of people) {
        qualified.add(p.id);
      }
      await Promise.all(people.map((p) => issuing.evaluateAndIssue(p.id)));
      const certs = await t.dataSource.getRepository(CertificateEntity).find({
        where: people.map((p) => ({ userId: p.id, ruleKey: 'initial-training' })),
      });
      expect(certs).toHaveLength(30);
      expect(new Set(certs.map((c) => c.serial)).size).toBe(30);
      expect(new Set(certs.map((c) => c.verifyCode)).size).toBe(30);
      // Same issuer and year: the numbers are consecutive, with no gap and no repeat.
      const numbers = certs.map((c) => Number(c.serial.slice(-6))).sort((a, b) => a - b);
      const lowest = numbers[0];
      expect(numbers).toEqual(Array.from({ length: 30 }, (_, i) => lowest + i));
      expect(
        await count(
          t,
          'SELECT COUNT(*) AS n FROM (SELECT serial FROM certificates GROUP BY serial HAVING COUNT(*) > 1) d',
        ),
      ).toBe(0);
    });
  });
});
