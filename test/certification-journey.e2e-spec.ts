import { startTestApp, TestApp } from './helpers/test-app';

interface Parts {
  options?: Array<{ id: string; weight: number }>;
  answer?: boolean;
  accepted?: Array<{ text: string; weight: number }>;
  numeric?: Array<{ value: number; weight: number }>;
  left?: Array<{ id: string; rightId: string }>;
}

/** The right response to a question, read from the grading key the server keeps (a test may; a learner never sees it). */
function rightResponse(type: string, parts: Parts): unknown {
  switch (type) {
    case 'single':
      return parts.options?.find((o) => o.weight === 100)?.id;
    case 'multiple':
      return parts.options?.filter((o) => o.weight > 0).map((o) => o.id);
    case 'truefalse':
      return parts.answer;
    case 'shortanswer':
      return parts.accepted?.find((a) => a.weight === 100)?.text;
    case 'numerical':
      return parts.numeric?.find((n) => n.weight === 100)?.value;
    case 'matching':
      return Object.fromEntries((parts.left ?? []).map((l) => [l.id, l.rightId]));
    default:
      throw new Error(`unknown type ${type}`);
  }
}

describe('A new community worker earns the initial-training certificate through the real course and test', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('completes first-30-days, passes its final test and holds exactly one valid certificate', async () => {
    const admin = await t.token('admin');
    const orgs = (await t.api('GET', '/api/v1/orgs', { token: admin })).json.items;
    const find = (
      nodes: Array<{ id: string; name: string; children: unknown[] }>,
    ): string | undefined => {
      for (const n of nodes) {
        if (n.name === '阳光社区第一党支部') {
          return n.id;
        }
        const inner = find(n.children as typeof nodes);
        if (inner) {
          return inner;
        }
      }
      return undefined;
    };
    const created = await t.api('POST', '/api/v1/users', {
      token: admin,
      body: {
        username: 'newbie',
        displayName: '王新人',
        password: 'first-day-at-work',
        orgId: find(orgs),
        postType: 'other',
        postGrade: 1,
      },
    });
    expect(created.status).toBe(201);
    const token = await t.token('newbie', 'first-day-at-work');

    expect(
      (await t.api('POST', '/api/v1/courses/first-30-days/enrol', { token, body: {} })).status,
    ).toBeLessThan(300);
    const course = (await t.api('GET', '/api/v1/courses/first-30-days', { token })).json;
    const lessons = course.modules.flatMap((m: { lessons: Array<{ id: string }> }) => m.lessons);
    expect(lessons.length).toBeGreaterThanOrEqual(3);
    for (const lesson of lessons) {
      expect(
        (await t.api('POST', `/api/v1/lessons/${lesson.id}/complete`, { token })).status,
      ).toBeLessThan(300);
    }
    const finalQuiz = course.quizzes.find((q: { isFinal: boolean }) => q.isFinal);
    const attempt = await t.api('POST', `/api/v1/quizzes/${finalQuiz.id}/attempts`, { token });
    expect(attempt.status).toBe(201);
    const placeholder = t.db === 'postgres' ? '$1' : '?';
    for (const q of attempt.json.questions as Array<{ id: string }>) {
      const [row] = await t.dataSource.query(
        `SELECT type, parts FROM questions WHERE id = ${placeholder}`,
        [q.id],
      );
      const response = rightResponse(row.type, JSON.parse(row.parts) as Parts);
      const saved = await t.api('PUT', `/api/v1/attempts/${attempt.json.attemptId}/answers`, {
        token,
        body: { questionId: q.id, response },
      });
      expect(saved.status).toBe(200);
    }
    const graded = await t.api('POST', `/api/v1/attempts/${attempt.json.attemptId}/submit`, {
      token,
    });
    expect(graded.json).toEqual(expect.objectContaining({ passed: true }));

    const mine = (await t.api('GET', '/api/v1/me/certificates', { token })).json.items as Array<{
      title: string;
      verifyCode: string;
      status: string;
    }>;
    const initial = mine.filter((c) => c.title === '初任培训合格证书');
    expect(initial).toHaveLength(1);
    const verify = await t.api('GET', `/api/v1/verify/${initial[0]?.verifyCode}`);
    expect(verify.json).toEqual(expect.objectContaining({ status: 'valid', holder: '王*人' }));
    const transcript = (await t.api('GET', '/api/v1/me/transcript', { token })).json;
    expect(transcript.entries.length).toBeGreaterThanOrEqual(lessons.length);
  });
});
