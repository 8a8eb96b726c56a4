import { PageClient, startTestApp, TestApp } from '../helpers/test-app';
import { BOOT_TIMEOUT, FiveHundredGuard, sql } from './support';

/**
 * SECURITY-TESTS.md 88, lost update: two trainers open the same draft and both save. The second save, made on the
 * revision both opened, is refused with 409 (API and page alike) instead of silently undoing the first; on the
 * page the author's text comes back unsaved, and a deliberate second save goes through.
 */
const body = (slug: string, title: string, revision?: string) => ({
  ...(revision === undefined ? {} : { revision }),
  slug,
  title,
  titleEn: 'Shared draft',
  trainingKind: 'special_topic',
  hours: 1,
  summary: '两位培训师同时编辑的课程。',
  competencies: ['communication'],
  modules: [
    {
      title: '单元一',
      titleEn: 'Module one',
      lessons: [
        { title: '第一课', titleEn: 'Lesson one', minutes: 20, markdown: '## 第一课\n\n正文。' },
      ],
    },
  ],
});

describe('Lost update: concurrent edits of one course draft', () => {
  let t: TestApp;
  const guard = new FiveHundredGuard();
  let api: TestApp['api'];
  let trainer: string;

  beforeAll(async () => {
    t = await startTestApp();
    api = guard.wrap(t);
    trainer = await t.token('trainer');
  }, BOOT_TIMEOUT);

  afterAll(async () => {
    await t?.close();
    expect(guard.seen).toEqual([]);
  });

  const titleOf = async (slug: string): Promise<string> => {
    const rows = await sql<{ draft: string }>(t, 'SELECT draft FROM courses WHERE slug = ?', [
      slug,
    ]);
    return (JSON.parse(rows[0].draft) as { title: string }).title;
  };

  it('refuses an API save made on an older revision with 409 and keeps the first save', async () => {
    expect(
      (await api('POST', '/api/v1/courses', { token: trainer, body: body('shared-a', '原标题') }))
        .status,
    ).toBe(201);
    const opened = await api('GET', '/api/v1/courses/shared-a/draft', { token: trainer });
    const revision = opened.json.revision as string;
    expect(revision).toMatch(/^[0-9a-f]{16,64}$/);
    const first = await api('PUT', '/api/v1/courses/shared-a', {
      token: trainer,
      body: body('shared-a', '甲的修改', revision),
    });
    expect(first.status).toBe(200);
    expect(first.json.revision).not.toBe(revision);
    const second = await api('PUT', '/api/v1/courses/shared-a', {
      token: trainer,
      body: body('shared-a', '乙的修改', revision),
      headers: { 'accept-language': 'en' },
    });
    expect(second.status).toBe(409);
    expect(second.json.message).toMatch(/Someone saved changes to this course after you opened it/);
    expect(await titleOf('shared-a')).toBe('甲的修改');
    // Without a revision the API keeps its old meaning: the last save wins.
    const blind = await api('PUT', '/api/v1/courses/shared-a', {
      token: trainer,
      body: body('shared-a', '不带版本的修改'),
    });
    expect(blind.status).toBe(200);
    expect(await titleOf('shared-a')).toBe('不带版本的修改');
  });

  it('lets exactly one of 12 concurrent saves on the same revision through', async () => {
    expect(
      (await api('POST', '/api/v1/courses', { token: trainer, body: body('shared-b', '原标题') }))
        .status,
    ).toBe(201);
    const revision = (await api('GET', '/api/v1/courses/shared-b/draft', { token: trainer })).json
      .revision as string;
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        api('PUT', '/api/v1/courses/shared-b', {
          token: trainer,
          body: body('shared-b', `并发修改 ${i}`, revision),
        }),
      ),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(11);
    const winner = answers.findIndex((a) => a.status === 200);
    expect(await titleOf('shared-b')).toBe(`并发修改 ${winner}`);
  });

  it('gives the second page author their text back with a clear message, and saves it when they insist', async () => {
    const a = new PageClient(t.url);
    const b = new PageClient(t.url);
    await a.signIn('trainer');
    await b.signIn('trainer');
    const lessonPath = '/author/courses/shared-a/lessons/01-lesson-one';
    const formA = await a.get(lessonPath);
    const formB = await b.get(lessonPath);
    const revisionOf = (html: string): string =>
      /name="revision" value="([^"]*)"/.exec(html)?.[1] ?? '';
    expect(revisionOf(formA.text)).not.toBe('');
    expect(revisionOf(formB.text)).toBe(revisionOf(formA.text));
    const fields = (html: string, markdown: string, revision = revisionOf(html)) => ({
      _csrf: PageClient.csrf(html),
      revision,
      title: '第一课',
      titleEn: 'Lesson one',
      minutes: '20',
      kind: 'reading',
      markdown,
      intent: 'save',
    });
    const savedA = await a.post(lessonPath, fields(formA.text, '甲写的正文'));
    expect(savedA.status).toBe(303);
    const refused = await b.post(lessonPath, fields(formB.text, '乙写了很久的正文 < & >'));
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('已有人保存了修改');
    expect(refused.text).toContain('乙写了很久的正文 &lt; &amp; &gt;');
    const stored = async (): Promise<string> => {
      const rows = await sql<{ draft: string }>(t, 'SELECT draft FROM courses WHERE slug = ?', [
        'shared-a',
      ]);
      return (JSON.parse(rows[0].draft) as { lessons: Array<{ markdown: string }> }).lessons[0]
        .markdown;
    };
    expect(await stored()).toBe('甲写的正文');
    // The refused page carries the latest revision: saving again is a deliberate overwrite.
    const insisted = await b.post(lessonPath, fields(refused.text, '乙写了很久的正文 < & >'));
    expect(insisted.status).toBe(303);
    expect(await stored()).toBe('乙写了很久的正文 < & >');
  });
});
