import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ContentImportService } from '../src/content/content-import.service';
import { readCourseFolders } from '../src/curriculum/course-files';
import { CourseExportService } from '../src/curriculum/course-export.service';
import { PageClient, startTestApp, TestApp } from './helpers/test-app';

const XSS_MARKDOWN = [
  '## 安全测试',
  '',
  '<script>alert("x")</script>',
  '',
  '[点我](javascript:alert(1)) and [data](data:text/html;base64,PHNjcmlwdD4=)',
  '',
  '<img src="x" onerror="alert(2)">',
  '',
  '<svg><script>alert(3)</script></svg>',
  '',
  '![pic](javascript:alert(4))',
  '',
  '[外部链接](https://example.org/guide)',
].join('\n');

function expectClean(html: string): void {
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/javascript:/i);
  expect(html).not.toMatch(/data:text/i);
  expect(html).not.toMatch(/<[^>]+onerror\s*=/i);
  expect(html).not.toMatch(/<svg/i);
}

async function count(t: TestApp, table: string): Promise<number> {
  const rows: Array<{ n: string | number }> = await t.dataSource.query(
    `SELECT COUNT(*) AS n FROM ${table}`,
  );
  return Number(rows[0]?.n ?? 0);
}

async function orgId(t: TestApp, name: string): Promise<string> {
  const rows: Array<{ id: string }> = await t.dataSource.query(
    `SELECT id FROM org_nodes WHERE name = $1`.replace('$1', t.db === 'postgres' ? '$1' : '?'),
    [name],
  );
  return rows[0]?.id ?? '';
}

function courseBody(slug: string, markdown = '## 第一课\n\n正文。') {
  return {
    slug,
    title: '测试课程',
    titleEn: 'Test course',
    trainingKind: 'special_topic',
    hours: 1,
    summary: '一门测试课程。',
    competencies: ['communication'],
    modules: [
      {
        title: '单元一',
        titleEn: 'Module one',
        lessons: [{ title: '第一课', titleEn: 'Lesson one', minutes: 20, markdown }],
      },
    ],
  };
}

jest.setTimeout(60000);

describe('Curriculum: courses, content import/export, authoring and sanitising', () => {
  let t: TestApp;
  let trainer: string;
  let cadre: string;
  let admin: string;
  const temp: string[] = [];

  beforeAll(async () => {
    // A private copy of content/, because the tests below change files and import them.
    const content = mkdtempSync(join(tmpdir(), 'cadre-content-'));
    temp.push(content);
    const skip = new Set((process.env.CADRE_TEST_SKIP_CONTENT ?? '').split(',').filter(Boolean));
    cpSync(join(__dirname, '..', 'content'), content, {
      recursive: true,
      filter: (src) => !skip.has(basename(src)),
    });
    t = await startTestApp({ env: { CONTENT_DIR: content } });
    [trainer, cadre, admin] = await Promise.all([
      t.token('trainer'),
      t.token('cadre'),
      t.token('admin'),
    ]);
  }, 120000);
  afterAll(async () => {
    temp.forEach((d) => rmSync(d, { recursive: true, force: true }));
    await t.close();
  });

  const copyContent = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'cadre-content-'));
    temp.push(dir);
    cpSync(t.config.contentDir, dir, { recursive: true });
    return dir;
  };

  it('lists at least 8 published courses spanning all four training kinds', async () => {
    const res = await t.api('GET', '/api/v1/courses', { token: cadre });
    expect(res.status).toBe(200);
    expect(res.json.items.length).toBeGreaterThanOrEqual(8);
    expect(new Set(res.json.items.map((c: { trainingKind: string }) => c.trainingKind))).toEqual(
      new Set(['initial', 'on_the_job', 'special_topic', 'practical']),
    );
    for (const c of res.json.items) {
      expect(c).toEqual(
        expect.objectContaining({
          slug: expect.any(String),
          title: expect.any(String),
          titleEn: expect.any(String),
          hours: expect.any(Number),
          competencies: expect.any(Array),
        }),
      );
    }
    const practical = await t.api('GET', '/api/v1/courses?kind=practical', { token: cadre });
    expect(practical.json.items.length).toBeGreaterThan(0);
    expect(
      practical.json.items.every((c: { trainingKind: string }) => c.trainingKind === 'practical'),
    ).toBe(true);
    const bad = await t.api('GET', '/api/v1/courses?kind=fun', { token: cadre });
    expect(bad.status).toBe(400);
  });

  it('answers a course with modules, lessons and an empty quizzes list', async () => {
    const res = await t.api('GET', '/api/v1/courses/neighbour-mediation', { token: cadre });
    expect(res.status).toBe(200);
    expect(res.json.modules.length).toBeGreaterThan(0);
    expect(res.json.modules[0].lessons[0]).toEqual(
      expect.objectContaining({
        id: expect.any(String),
        title: expect.any(String),
        minutes: expect.any(Number),
      }),
    );
    expect(res.json.quizzes).toEqual(expect.any(Array));
    expect((await t.api('GET', '/api/v1/courses/no-such-course', { token: cadre })).status).toBe(
      404,
    );
  });

  it('shows the catalogue page with filters, phone-friendly cards and no script needed', async () => {
    const page = new PageClient(t.url);
    await page.signIn('cadre');
    const res = await page.get('/courses?kind=initial');
    expect(res.status).toBe(200);
    expect(res.text).toContain('新任社区工作者的头30天');
    expect(res.text).not.toContain('邻里纠纷调解实务');
    const all = await page.get('/courses?competency=emergencies&lang=en');
    expect(all.text).toContain('Community flood and fire emergency drill');
  });

  it('importing the same content twice changes nothing', async () => {
    const versionsBefore = await count(t, 'course_versions');
    const report = await t.app.get(ContentImportService).import(t.config.contentDir);
    expect(report.ok).toBe(true);
    expect(report.byKind.courses).toEqual({ changed: 0, unchanged: 9 });
    expect(await count(t, 'course_versions')).toBe(versionsBefore);
  });

  it('refuses a lesson with broken front matter naming file and line, and changes nothing', async () => {
    const dir = copyContent();
    // A valid change in one course and a broken lesson in another: neither may land.
    const courseFile = join(dir, 'courses', 'first-30-days', 'course.md');
    writeFileSync(
      courseFile,
      readFileSync(courseFile, 'utf8').replace(
        'title: 新任社区工作者的头30天',
        'title: 改过的标题',
      ),
    );
    const lessonFile = join(
      dir,
      'courses',
      'neighbour-mediation',
      '02-common-disputes-and-rules.md',
    );
    const lines = readFileSync(lessonFile, 'utf8').split('\n');
    lines[3] = 'minutes: [25';
    writeFileSync(lessonFile, lines.join('\n'));
    const versions = await count(t, 'course_versions');
    const lessons = await count(t, 'lessons');
    const report = await t.app.get(ContentImportService).import(dir);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: lessonFile, line: expect.any(Number) }),
      ]),
    );
    // The unclosed list starts on line 4; YAML notices it there or on the next line.
    expect([4, 5]).toContain(report.problems.find((p) => p.file === lessonFile)?.line);
    expect(await count(t, 'course_versions')).toBe(versions);
    expect(await count(t, 'lessons')).toBe(lessons);
    const course = await t.api('GET', '/api/v1/courses/first-30-days', { token: cadre });
    expect(course.json.title).toBe('新任社区工作者的头30天');
  });

  it('names the field and line of a wrong value', async () => {
    const dir = copyContent();
    const lessonFile = join(dir, 'courses', 'party-study-day', '01-rhythm-and-study-day.md');
    writeFileSync(
      lessonFile,
      readFileSync(lessonFile, 'utf8').replace(/^kind: .*$/m, 'kind: lecture'),
    );
    const report = await t.app.get(ContentImportService).import(dir);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      expect.objectContaining({
        file: lessonFile,
        line: 5,
        message: expect.stringContaining('kind'),
      }),
    ]);
  });

  it('publishes a new version when a course file changes; the old version stays', async () => {
    const dir = copyContent();
    const before = await t.api('GET', '/api/v1/courses/door-to-door-mass-work', { token: cadre });
    const lessonFile = join(dir, 'courses', 'door-to-door-mass-work', '01-preparing-a-visit.md');
    writeFileSync(
      lessonFile,
      `${readFileSync(lessonFile, 'utf8')}\n\n补充：走访前再核对一次住户名单。\n`,
    );
    const report = await t.app.get(ContentImportService).import(dir);
    expect(report.byKind.courses).toEqual({ changed: 1, unchanged: 8 });
    const after = await t.api('GET', '/api/v1/courses/door-to-door-mass-work', { token: cadre });
    expect(after.json.version).toBe(before.json.version + 1);
    const old = await t.api('GET', `/api/v1/lessons/${before.json.modules[0].lessons[0].id}`, {
      token: trainer,
    });
    expect(old.status).toBe(200);
    expect(old.json.html).not.toContain('补充');
    const again = await t.app.get(ContentImportService).import(dir);
    expect(again.byKind.courses).toEqual({ changed: 0, unchanged: 9 });
  });

  it('export then import gives the same courses', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cadre-export-'));
    temp.push(dir);
    const written = await t.app.get(CourseExportService).exportTo(dir);
    expect(written).toBeGreaterThanOrEqual(9);
    const exported = readCourseFolders(join(dir, 'courses'));
    expect(exported.problems).toEqual([]);
    const imported = await t.app.get(ContentImportService).import(dir);
    expect(imported.ok).toBe(true);
    expect(imported.byKind.courses?.changed).toBe(0);
    // The original files and the exported ones describe the same courses (door-to-door was changed above).
    const original = readCourseFolders(join(t.config.contentDir, 'courses'));
    const strip = (c: { meta: unknown; content: unknown }) => ({
      meta: c.meta,
      content: c.content,
    });
    const bySlug = new Map(exported.courses.map((c) => [c.meta.slug, strip(c)]));
    for (const c of original.courses.filter((x) => x.meta.slug !== 'door-to-door-mass-work')) {
      expect(bySlug.get(c.meta.slug)).toEqual(strip(c));
    }
  });

  it('renders none of script, javascript:, onerror or svg script, in the API and on the page', async () => {
    const created = await t.api('POST', '/api/v1/courses', {
      token: trainer,
      body: courseBody('xss-check', XSS_MARKDOWN),
    });
    expect(created.status).toBe(201);
    expect(
      (await t.api('POST', '/api/v1/courses/xss-check/publish', { token: trainer })).status,
    ).toBe(200);
    const preview = await t.api('POST', '/api/v1/markdown/preview', {
      token: trainer,
      body: { markdown: XSS_MARKDOWN },
    });
    expectClean(preview.json.html);
    expect(preview.json.html).toContain('rel="noopener noreferrer"');
    const course = await t.api('GET', '/api/v1/courses/xss-check', { token: cadre });
    expect((await t.api('POST', '/api/v1/courses/xss-check/enrol', { token: cadre })).status).toBe(
      201,
    );
    const lessonId = course.json.modules[0].lessons[0].id as string;
    const lesson = await t.api('GET', `/api/v1/lessons/${lessonId}`, { token: cadre });
    expect(lesson.status).toBe(200);
    expectClean(lesson.json.html);
    const page = new PageClient(t.url);
    await page.signIn('cadre');
    const html = (await page.get(`/lessons/${lessonId}`)).text;
    const body = html.slice(html.indexOf('lesson-body'), html.indexOf('lesson-actions'));
    expectClean(body);
    expect(body).toContain('安全测试');
  });

  it('lets a trainer create, edit and publish a draft; publishing twice makes no second version', async () => {
    const created = await t.api('POST', '/api/v1/courses', {
      token: trainer,
      body: courseBody('draft-flow'),
    });
    expect(created.json).toEqual(expect.objectContaining({ status: 'draft', version: 0 }));
    expect((await t.api('GET', '/api/v1/courses/draft-flow', { token: cadre })).status).toBe(404);
    const dup = await t.api('POST', '/api/v1/courses', {
      token: trainer,
      body: courseBody('draft-flow'),
    });
    expect(dup.status).toBe(409);
    const edit = courseBody('draft-flow');
    edit.modules[0]?.lessons.push({
      title: '第二课',
      titleEn: 'Lesson two',
      minutes: 35,
      markdown: '第二课正文',
    });
    const put = await t.api('PUT', '/api/v1/courses/draft-flow', { token: trainer, body: edit });
    expect(put.status).toBe(200);
    expect(put.json.modules[0].lessons.map((l: { key: string }) => l.key)).toEqual([
      '01-lesson-one',
      '02-lesson-two',
    ]);
    const first = await t.api('POST', '/api/v1/courses/draft-flow/publish', { token: trainer });
    expect(first.json).toEqual(expect.objectContaining({ version: 1, changed: true }));
    const second = await t.api('POST', '/api/v1/courses/draft-flow/publish', { token: trainer });
    expect(second.json).toEqual(expect.objectContaining({ version: 1, changed: false }));
    const archived = await t.api('POST', '/api/v1/courses/draft-flow/archive', { token: trainer });
    expect(archived.json.status).toBe('archived');
    const list = await t.api('GET', '/api/v1/courses', { token: cadre });
    expect(list.json.items.map((c: { slug: string }) => c.slug)).not.toContain('draft-flow');
  });

  it('refuses edits by learners (403) and by trainers of another district (404 or 403)', async () => {
    expect(
      (
        await t.api('PUT', '/api/v1/courses/neighbour-mediation', {
          token: cadre,
          body: courseBody('neighbour-mediation'),
        })
      ).status,
    ).toBe(403);
    expect(
      (await t.api('POST', '/api/v1/courses/neighbour-mediation/publish', { token: cadre })).status,
    ).toBe(403);
    const songlin = await orgId(t, '松林社区');
    const yangguang = await orgId(t, '阳光社区');
    for (const [username, org] of [
      ['xs-trainer', songlin],
      ['dh-trainer', yangguang],
    ]) {
      const res = await t.api('POST', '/api/v1/users', {
        token: admin,
        body: {
          username,
          displayName: username,
          password: 'Trainer-pass-2026',
          orgId: org,
          roles: ['trainer'],
        },
      });
      expect(res.status).toBe(201);
    }
    const xs = await t.token('xs-trainer', 'Trainer-pass-2026');
    const dh = await t.token('dh-trainer', 'Trainer-pass-2026');
    expect(
      (await t.api('POST', '/api/v1/courses', { token: xs, body: courseBody('xishan-only') }))
        .status,
    ).toBe(201);
    // Another district's trainer cannot even see the draft, let alone change it.
    expect(
      (
        await t.api('PUT', '/api/v1/courses/xishan-only', {
          token: dh,
          body: courseBody('xishan-only'),
        })
      ).status,
    ).toBe(404);
    expect((await t.api('POST', '/api/v1/courses/xishan-only/publish', { token: dh })).status).toBe(
      404,
    );
    // A city course is visible to a community trainer but not theirs to change.
    const cityCourse = await t.api('PUT', '/api/v1/courses/neighbour-mediation', {
      token: dh,
      body: courseBody('neighbour-mediation'),
    });
    expect(cityCourse.status).toBe(403);
    expect(cityCourse.json.error).toBe('COURSE_NOT_EDITABLE');
    // Creating a course for an organisation outside one's subtree is refused too.
    const outside = await t.api('POST', '/api/v1/courses', {
      token: dh,
      body: { ...courseBody('outside'), orgId: songlin },
    });
    expect(outside.status).toBe(403);
    // The city trainer covers every district.
    expect(
      (
        await t.api('PUT', '/api/v1/courses/xishan-only', {
          token: trainer,
          body: courseBody('xishan-only'),
        })
      ).status,
    ).toBe(200);
  });

  it('gives learners 403 on /author and trainers a working editor with a no-script preview', async () => {
    const learner = new PageClient(t.url);
    await learner.signIn('cadre');
    expect((await learner.get('/author')).status).toBe(403);
    const page = new PageClient(t.url);
    await page.signIn('trainer');
    const index = await page.get('/author');
    expect(index.status).toBe(200);
    expect(index.text).toContain('neighbour-mediation');
    const newForm = await page.get('/author/new');
    const created = await page.post('/author/courses', {
      _csrf: PageClient.csrf(newForm.text),
      slug: 'page-made',
      title: '页面新建课程',
      titleEn: 'Made on the page',
      trainingKind: 'initial',
      hours: '2',
      summary: '在页面上建立的课程。',
      competencies: 'mass_work',
    });
    expect(created.status).toBe(303);
    const lessonForm = await page.get('/author/courses/page-made/lessons/new');
    expect(lessonForm.text).toContain('/static/js/author.js');
    const previewed = await page.post('/author/courses/page-made/lessons', {
      _csrf: PageClient.csrf(lessonForm.text),
      title: '第一课',
      titleEn: 'First steps',
      minutes: '15',
      kind: 'reading',
      markdown: '## 小标题\n\n<script>alert(1)</script>正文',
      intent: 'preview',
    });
    expect(previewed.status).toBe(200);
    expect(previewed.text).toContain('<h2>小标题</h2>');
    expect(previewed.text).not.toContain('<script>alert');
    const saved = await page.post('/author/courses/page-made/lessons', {
      _csrf: PageClient.csrf(previewed.text),
      title: '第一课',
      titleEn: 'First steps',
      minutes: '15',
      kind: 'reading',
      markdown: '## 小标题\n\n正文',
      intent: 'save',
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toContain(
      '/author/courses/page-made/lessons/01-first-steps',
    );
    const course = await page.get('/author/courses/page-made');
    const published = await page.post('/author/courses/page-made/publish', {
      _csrf: PageClient.csrf(course.text),
    });
    expect(published.status).toBe(303);
    const api = await t.api('GET', '/api/v1/courses/page-made', { token: cadre });
    expect(api.json).toEqual(expect.objectContaining({ version: 1, status: 'published' }));
  });
});
