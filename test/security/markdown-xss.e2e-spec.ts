import { DateTime } from 'luxon';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContentImportService } from '../../src/content/content-import.service';
import { ApiResponse, PageClient, startTestApp, TestApp } from '../helpers/test-app';
import { BOOT_TIMEOUT, count, FiveHundredGuard } from './support';
import {
  allPayloads,
  bankGift,
  bankMarkdown,
  block,
  ENTITY_EXPECTATIONS,
  EXTERNAL_HREF,
  htmlStrings,
  marker,
  pageProblems,
  PAYLOADS,
  unsafeMarkup,
  userContentRegions,
  XssPayload,
} from './xss-payloads';

/**
 * SECURITY-TESTS.md section G, cases 70-79: every payload is written into every place markdown is authored
 * (lesson body, question stem, option, feedback, course description, and a study day's agenda and minutes) through
 * every way in (the course API, the editor page, the preview endpoint, the bank import as markdown and GIFT on the
 * API and the page, a content folder), then read
 * as the learner and as the admin in the JSON and on the page. Neither holds anything of the section G list in its
 * markup; external links open with rel="noopener noreferrer"; entities are escaped once. (Case 80, the browser
 * and its CSP, is test/browser/xss.browser-spec.ts.)
 */
describe('Markdown XSS through every place and way markdown is written', () => {
  let t: TestApp;
  const guard = new FiveHundredGuard();
  let api: TestApp['api'];
  let trainer: string;
  let cadre: string;
  let admin: string;
  let learnerPages: PageClient;
  const temp: string[] = [];
  /** Lesson HTML as published, by payload id (the preview must give exactly the same). */
  const published = new Map<string, string>();

  beforeAll(async () => {
    t = await startTestApp();
    api = guard.wrap(t);
    [trainer, cadre, admin] = await Promise.all([
      t.token('trainer'),
      t.token('cadre'),
      t.token('admin'),
    ]);
    learnerPages = guard.pages(t);
    expect((await learnerPages.signIn('cadre')).status).toBe(303);
  }, BOOT_TIMEOUT);

  afterAll(async () => {
    temp.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
    await t?.close();
    expect(guard.seen).toEqual([]);
  });

  function expectSafeHtml(where: string, html: string): void {
    expect({ where, problems: unsafeMarkup(html, t.url) }).toEqual({ where, problems: [] });
  }

  /** Every HTML string of a JSON answer is safe; returns them joined (to look for markers). */
  function expectSafeJson(where: string, res: ApiResponse): string {
    expect({ where, ok: res.status === 200 || res.status === 201 }).toEqual({ where, ok: true });
    const strings = htmlStrings(res.json);
    for (const [key, html] of strings) {
      expectSafeHtml(`${where} ${key}`, html);
    }
    return strings.map(([, html]) => html).join('\n');
  }

  /** The page as a whole is clean and every user-content region in it is safe; returns the regions joined. */
  function expectSafePage(where: string, res: ApiResponse, status = 200): string {
    expect({ where, status: res.status }).toEqual({ where, status });
    expect({ where, problems: pageProblems(res.text) }).toEqual({ where, problems: [] });
    const regions = userContentRegions(res.text);
    regions.forEach((region, i) => expectSafeHtml(`${where} region ${i}`, region));
    return regions.join('\n');
  }

  const page = (path: string, token: string): Promise<ApiResponse> =>
    api('GET', path, { token, headers: { accept: 'text/html' } });

  /** How often a payload's marker shows in a text (stem, option, feedback each carry it). */
  const markerCount = (text: string, p: XssPayload): number =>
    text.split(new RegExp(`${marker(p)}(?!\\d)`)).length - 1;

  function expectEveryMarker(where: string, text: string, atLeast = 1): void {
    const missing = PAYLOADS.filter((p) => markerCount(text, p) < atLeast).map((p) => p.id);
    expect({ where, missing }).toEqual({ where, missing: [] });
  }

  /** Case 74 and 77 on one rendering of one payload (markdown formats only). */
  function expectPayloadSpecifics(where: string, p: XssPayload, html: string): void {
    const entity = ENTITY_EXPECTATIONS[p.id];
    if (entity) {
      expect({ where, html: html.includes(entity.html) }).toEqual({ where, html: true });
    }
    if (p.id === '77-1') {
      expect(html).toContain(
        `<a href="${EXTERNAL_HREF}" target="_blank" rel="noopener noreferrer">官方通知</a>`,
      );
    }
  }

  const lessonsOf = (course: ApiResponse): Array<{ id: string; title: string }> =>
    (course.json.modules as Array<{ lessons: Array<{ id: string; title: string }> }>).flatMap(
      (m) => m.lessons,
    );

  it('uses checkers that do flag every construct of section G', () => {
    for (const bad of [
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '<a href="java&#x09;script:alert(1)">x</a>',
      '<a href="vbscript:x">x</a>',
      '<a href="data:text/html,x">x</a>',
      '<img src="data:image/svg+xml,x">',
      '<iframe srcdoc="x"></iframe>',
      '<object data="x"></object>',
      '<embed src="x">',
      '<form action="//evil"><button formaction="javascript:x">x</button></form>',
      '<base href="//evil/">',
      '<meta http-equiv="refresh" content="0">',
      '<style>@import "//evil"</style>',
      '<div style="position:fixed">x</div>',
      '<svg><a xlink:href="javascript:x">x</a></svg>',
      '<details open ontoggle=alert(1)>',
      '<a href="https://evil.example" target="_blank">x</a>',
      '<a href="https://evil.example">x</a>',
      'a < b',
    ]) {
      expect({ bad, flagged: unsafeMarkup(bad, 'http://127.0.0.1').length > 0 }).toEqual({
        bad,
        flagged: true,
      });
    }
    for (const bad of [
      '<script>alert(1)</script>',
      '<script src="https://evil.example/x.js"></script>',
      '<a onclick="x">x</a>',
      '<form action="https://evil.example"></form>',
      '<meta http-equiv="refresh" content="0">',
      '<iframe src="/x"></iframe>',
      '<a href="javascript:alert(1)">x</a>',
    ]) {
      expect({ bad, flagged: pageProblems(bad).length > 0 }).toEqual({ bad, flagged: true });
    }
    expect(
      userContentRegions('<main><div data-user-content><p>a<br>b</p><img src="x"></div><p>c</p>'),
    ).toEqual(['<p>a<br>b</p><img src="x">']);
  });

  it('lesson bodies and the course description written through the API: JSON and page, as the learner and as the admin', async () => {
    const created = await api('POST', '/api/v1/courses', {
      token: trainer,
      body: {
        slug: 'xss-lab',
        title: '安全载荷课程',
        titleEn: 'Payload course',
        trainingKind: 'special_topic',
        hours: 1,
        summary: '安全载荷',
        overview: allPayloads(),
        competencies: ['communication'],
        modules: [
          {
            title: '载荷',
            titleEn: 'Payloads',
            lessons: PAYLOADS.map((p) => ({
              title: `载荷 ${p.id}`,
              titleEn: `Payload ${p.id}`,
              minutes: 5,
              markdown: block(p),
            })),
          },
        ],
      },
    });
    expect(created.status).toBe(201);
    expectSafeJson('created course', created);
    expect((await api('POST', '/api/v1/courses/xss-lab/publish', { token: trainer })).status).toBe(
      200,
    );
    expect(
      (await api('POST', '/api/v1/courses/xss-lab/enrol', { token: cadre, body: {} })).status,
    ).toBe(201);
    expectSafeJson('draft', await api('GET', '/api/v1/courses/xss-lab/draft', { token: trainer }));

    const course = await api('GET', '/api/v1/courses/xss-lab', { token: cadre });
    expectEveryMarker('course JSON (description)', expectSafeJson('course JSON', course));
    const lessons = lessonsOf(course);
    expect(lessons).toHaveLength(PAYLOADS.length);
    expectEveryMarker(
      'course page (description)',
      expectSafePage('course page', await learnerPages.get('/courses/xss-lab')),
    );
    expectSafePage('course page as admin', await page('/courses/xss-lab', admin));

    for (const [i, p] of PAYLOADS.entries()) {
      const id = lessons[i].id;
      expect(lessons[i].title).toBe(`载荷 ${p.id}`);
      const json = await api('GET', `/api/v1/lessons/${id}`, { token: cadre });
      const html = expectSafeJson(`lesson ${p.id} JSON`, json);
      expect(html).toContain(marker(p));
      expectPayloadSpecifics(`lesson ${p.id} JSON`, p, json.json.html);
      published.set(p.id, json.json.html);
      const learner = expectSafePage(
        `lesson ${p.id} page`,
        await learnerPages.get(`/lessons/${id}`),
      );
      expect(learner).toContain(marker(p));
      expectPayloadSpecifics(`lesson ${p.id} page`, p, learner);
      expectSafeJson(
        `lesson ${p.id} JSON as admin`,
        await api('GET', `/api/v1/lessons/${id}`, { token: admin }),
      );
      expect(
        expectSafePage(`lesson ${p.id} page as admin`, await page(`/lessons/${id}`, admin)),
      ).toContain(marker(p));
    }

    // Case 73: an image path in a lesson is a URL of this site; nothing answers it with an SVG (or anything).
    const evil = lessons[PAYLOADS.findIndex((p) => p.id === '73-5')].id;
    const svg = new URL('evil.svg', `${t.url}/lessons/${evil}`);
    const res = await api('GET', svg.pathname, { token: cadre });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type') ?? '').not.toContain('svg');
  });

  it('the preview endpoint and the editor page’s preview give exactly the published sanitising (case 78)', async () => {
    for (const p of PAYLOADS) {
      const res = await api('POST', '/api/v1/markdown/preview', {
        token: trainer,
        body: { markdown: block(p) },
      });
      expectSafeJson(`preview ${p.id}`, res);
      expect({ id: p.id, same: res.json.html === published.get(p.id) }).toEqual({
        id: p.id,
        same: true,
      });
    }
    // Markdown delivered in JSON with \u003c escapes is the same text once decoded: shown, never run.
    const escaped = await api('POST', '/api/v1/markdown/preview', {
      token: trainer,
      raw: '{"markdown":"\\u003cscript\\u003ealert(1)\\u003c/script\\u003e \\u003cimg src=x onerror=alert(1)\\u003e"}',
      headers: { 'content-type': 'application/json' },
    });
    expectSafeJson('preview of \\u003c-escaped JSON', escaped);
    expect(escaped.json.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');

    const editor = guard.pages(t);
    await editor.signIn('trainer');
    let form = await editor.get('/author/courses/xss-lab/lessons/new');
    expect(form.status).toBe(200);
    for (const p of PAYLOADS) {
      const res = await editor.post('/author/courses/xss-lab/lessons', {
        _csrf: PageClient.csrf(form.text),
        title: `预览 ${p.id}`,
        titleEn: `Preview ${p.id}`,
        minutes: '5',
        kind: 'reading',
        markdown: block(p),
        intent: 'preview',
      });
      const regions = expectSafePage(`editor preview ${p.id}`, res);
      expect(regions).toContain(published.get(p.id)?.trim());
      form = res;
    }
    // Saved from the page, then opened again in the editor (the markdown sits in a textarea) and published.
    const saved = await editor.post('/author/courses/xss-lab/lessons', {
      _csrf: PageClient.csrf(form.text),
      title: '全部载荷',
      titleEn: 'All payloads',
      minutes: '10',
      kind: 'reading',
      markdown: allPayloads(),
      intent: 'save',
    });
    expect(saved.status).toBe(303);
    const location = saved.headers.get('location') as string;
    expectSafePage('editor with every payload', await editor.get(location));
    expect((await api('POST', '/api/v1/courses/xss-lab/publish', { token: trainer })).status).toBe(
      200,
    );
    const course = await api('GET', '/api/v1/courses/xss-lab', { token: admin });
    const lesson = lessonsOf(course).find((l) => l.title === '全部载荷');
    expect(lesson).toBeDefined();
    const json = await api('GET', `/api/v1/lessons/${lesson?.id as string}`, { token: admin });
    expectEveryMarker('page-saved lesson JSON', expectSafeJson('page-saved lesson', json));
    expectEveryMarker(
      'page-saved lesson page',
      expectSafePage(
        'page-saved lesson page',
        await page(`/lessons/${lesson?.id as string}`, admin),
      ),
    );
  });

  // ---------------------------------------------------------------------------------------------------------
  /** A learner's whole quiz: start (JSON), the attempt page, answers, submit, review (JSON and page), as admin too. */
  async function takeQuiz(where: string, quizId: string, markdown = true): Promise<void> {
    const quizPage = expectSafePage(
      `${where} quiz page`,
      await learnerPages.get(`/quizzes/${quizId}`),
    );
    expect(quizPage).toBeDefined();
    const start = await api('POST', `/api/v1/quizzes/${quizId}/attempts`, { token: cadre });
    expect(start.status).toBe(201);
    const questions = htmlStrings(start.json);
    questions.forEach(([key, html]) => expectSafeHtml(`${where} attempt ${key}`, html));
    const startText = questions.map(([, h]) => h).join('\n');
    expectEveryMarker(`${where} attempt JSON (stem and option)`, startText, 2);
    // Moodle's HTML formats have no link syntax (and allow no <a>): the link check is for markdown only.
    for (const p of PAYLOADS.filter(
      (x) => ENTITY_EXPECTATIONS[x.id] || (markdown && x.id === '77-1'),
    )) {
      expectPayloadSpecifics(`${where} attempt ${p.id}`, p, startText);
    }
    const attemptId = start.json.attemptId as string;
    let shown = expectSafePage(
      `${where} attempt page`,
      await learnerPages.get(`/attempts/${attemptId}`),
    );
    if (PAYLOADS.some((p) => markerCount(shown, p) === 0)) {
      // One question per screen (a final test imported from content/): every screen in turn.
      for (let n = 2; n <= PAYLOADS.length; n++) {
        shown += expectSafePage(
          `${where} attempt page ${n}`,
          await learnerPages.get(`/attempts/${attemptId}?q=${n}`),
        );
      }
    }
    expectEveryMarker(`${where} attempt page`, shown, 2);
    for (const q of start.json.questions as Array<{ id: string; options: Array<{ id: string }> }>) {
      const saved = await api('PUT', `/api/v1/attempts/${attemptId}/answers`, {
        token: cadre,
        body: { questionId: q.id, response: q.options[0].id },
      });
      expect(saved.status).toBe(200);
    }
    expect([200, 201]).toContain(
      (await api('POST', `/api/v1/attempts/${attemptId}/submit`, { token: cadre })).status,
    );
    // The review shows stem, options, the picked option's feedback and the general feedback.
    const review = expectSafeJson(
      `${where} review JSON`,
      await api('GET', `/api/v1/attempts/${attemptId}`, { token: cadre }),
    );
    expectEveryMarker(`${where} review JSON`, review, 4);
    expectEveryMarker(
      `${where} review page`,
      expectSafePage(`${where} review page`, await learnerPages.get(`/attempts/${attemptId}`)),
      4,
    );
    expectSafeJson(
      `${where} review JSON as admin`,
      await api('GET', `/api/v1/attempts/${attemptId}`, { token: admin }),
    );
    expectSafePage(`${where} review page as admin`, await page(`/attempts/${attemptId}`, admin));
    expectSafeJson(
      `${where} analysis JSON`,
      await api('GET', `/api/v1/quizzes/${quizId}/analysis`, { token: admin }),
    );
    expectEveryMarker(
      `${where} analysis page`,
      expectSafePage(
        `${where} analysis page`,
        await page(`/author/quizzes/${quizId}/analysis`, admin),
      ),
    );
  }

  it('question stems, options and feedback imported as bank markdown and as GIFT (markdown and Moodle HTML): attempt, review and item analysis', async () => {
    const sources: Array<[string, string, string, boolean]> = [
      ['bank markdown', 'markdown', bankMarkdown('xss-api-bank', 'xss-lab'), true],
      ['GIFT [markdown]', 'gift', bankGift('[markdown]'), true],
      ['GIFT Moodle format', 'gift', bankGift(''), false],
      ['GIFT [html]', 'gift', bankGift('[html]'), false],
    ];
    for (const [where, format, text, markdown] of sources) {
      const imported = await api(
        'POST',
        `/api/v1/question-banks/import?format=${format}&bankName=${encodeURIComponent(where)}`,
        { token: trainer, raw: text, headers: { 'content-type': 'text/plain' } },
      );
      expect({ where, status: imported.status, errors: imported.json.errors }).toEqual({
        where,
        status: 201,
        errors: [],
      });
      expect(imported.json.imported).toBe(PAYLOADS.length);
      const quiz = await api('POST', '/api/v1/quizzes', {
        token: trainer,
        body: {
          courseSlug: 'xss-lab',
          title: `载荷测验 ${where}`,
          bankId: imported.json.bankId,
          passMark: 0,
          attemptsAllowed: 2,
          review: 'feedback',
        },
      });
      expect(quiz.status).toBe(201);
      await takeQuiz(where, quiz.json.id as string, markdown);
      // The export is a download, never a page of this site.
      const exported = await api(
        'GET',
        `/api/v1/question-banks/${imported.json.bankId}/export?format=${format}`,
        {
          token: trainer,
        },
      );
      expect(exported.status).toBe(200);
      expect(exported.headers.get('content-type')).not.toMatch(/html/);
      expect(exported.headers.get('content-disposition')).toMatch(/^attachment;/);
      expect(exported.headers.get('x-content-type-options')).toBe('nosniff');
    }
    // The bank import page shows its result page cleanly too.
    const form = new FormData();
    form.append('format', 'gift');
    form.append('bankName', '页面导入载荷');
    form.append(
      'file',
      new Blob([bankGift('[markdown]')], { type: 'text/plain' }),
      'payloads.gift',
    );
    const res = await fetch(`${t.url}/author/banks/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${trainer}`, accept: 'text/html' },
      body: form,
    });
    const text = await res.text();
    guard.note('POST', '/author/banks/import', {
      status: res.status,
      headers: res.headers,
      text,
      json: undefined,
    });
    expectSafePage('bank import page', {
      status: res.status,
      headers: res.headers,
      text,
      json: undefined,
    });
    expectSafePage('banks page', await page('/author/banks', trainer));
  });

  it('a study day’s agenda and minutes (markdown written by the secretary): JSON and page, as a member and as the admin', async () => {
    const secretary = await t.token('secretary');
    const me = await api('GET', '/api/v1/me', { token: cadre });
    // At nine in the morning in three days: an hour from "now" in three days ran past midnight late in the evening.
    const start = DateTime.now()
      .setZone('Asia/Shanghai')
      .plus({ days: 3 })
      .set({ hour: 9, minute: 0, second: 0, millisecond: 0 })
      .toJSDate();
    const made = await api('POST', `/api/v1/branches/${me.json.branch.id as string}/study-days`, {
      token: secretary,
      body: {
        topic: '载荷学习日',
        startsAt: start.toISOString(),
        endsAt: new Date(start.getTime() + 3600_000).toISOString(),
        place: '会议室',
        agenda: allPayloads(),
      },
    });
    expect(made.status).toBe(201);
    const id = made.json.occurrences[0].id as string;
    const minutes = await api('PUT', `/api/v1/study-days/${id}/minutes`, {
      token: secretary,
      body: { minutes: allPayloads() },
    });
    expect(minutes.status).toBe(200);
    expectSafeJson(
      'study day JSON',
      await api('GET', `/api/v1/study-days/${id}`, { token: cadre }),
    );
    const member = expectSafePage('study day page', await learnerPages.get(`/study-days/${id}`));
    // Members read the agenda; the minutes are shown to those who manage the day.
    expectEveryMarker('study day page (agenda)', member, 1);
    expectEveryMarker(
      'study day page as admin',
      expectSafePage('study day page as admin', await page(`/study-days/${id}`, admin)),
      2,
    );
  });

  it('a course folder and a bank file imported from content/ get the same sanitising (case 79)', async () => {
    const dir = fs.mkdtempSync(join(tmpdir(), 'cadre-xss-content-'));
    temp.push(dir);
    fs.cpSync(join(t.config.contentDir, 'policy'), join(dir, 'policy'), { recursive: true });
    const folder = join(dir, 'courses', 'xss-import');
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(
      join(folder, 'course.md'),
      [
        '---',
        'slug: xss-import',
        'title: 导入载荷课程',
        'titleEn: Imported payloads',
        'summary: 导入载荷',
        'summaryEn: Imported payloads.',
        'trainingKind: special_topic',
        'hours: 1',
        'competencies: [communication]',
        'postTypes: [head, deputy, other]',
        'levels: [none, assistant, social_worker, senior]',
        'status: published',
        '---',
        '',
        allPayloads(),
        '',
      ].join('\n'),
    );
    PAYLOADS.forEach((p, i) => {
      fs.writeFileSync(
        join(folder, `${String(i + 1).padStart(2, '0')}-payload-${i + 1}.md`),
        `---\ntitle: 导入载荷 ${p.id}\ntitleEn: Imported ${p.id}\nminutes: 5\nkind: reading\n---\n\n${block(p)}\n`,
      );
    });
    fs.mkdirSync(join(dir, 'banks'));
    fs.writeFileSync(
      join(dir, 'banks', 'xss-import.md'),
      bankMarkdown(
        'xss-import',
        'xss-import',
        '\n  - slug: xss-import-final\n    title: 导入载荷测验\n    titleEn: Imported payload quiz\n    tags: []\n    passMark: 0\n    attemptsAllowed: 2\n    shuffle: false\n    review: feedback',
      ),
    );
    const report = await t.app.get(ContentImportService).import(dir);
    expect(report).toEqual(expect.objectContaining({ ok: true, problems: [] }));
    expect(await count(t, 'SELECT COUNT(*) AS n FROM courses WHERE slug = ?', ['xss-import'])).toBe(
      1,
    );

    expect(
      (await api('POST', '/api/v1/courses/xss-import/enrol', { token: cadre, body: {} })).status,
    ).toBe(201);
    const course = await api('GET', '/api/v1/courses/xss-import', { token: cadre });
    expectEveryMarker('imported course JSON', expectSafeJson('imported course', course));
    expectEveryMarker(
      'imported course page',
      expectSafePage('imported course page', await learnerPages.get('/courses/xss-import')),
    );
    const lessons = lessonsOf(course);
    expect(lessons).toHaveLength(PAYLOADS.length);
    for (const [i, p] of PAYLOADS.entries()) {
      const json = await api('GET', `/api/v1/lessons/${lessons[i].id}`, { token: cadre });
      expectSafeJson(`imported lesson ${p.id}`, json);
      // The same markdown gives the same HTML whichever way it came in.
      expect({ id: p.id, same: json.json.html === published.get(p.id) }).toEqual({
        id: p.id,
        same: true,
      });
      expect(
        expectSafePage(
          `imported lesson ${p.id} page`,
          await learnerPages.get(`/lessons/${lessons[i].id}`),
        ),
      ).toContain(marker(p));
    }
    const quiz = (course.json.quizzes as Array<{ id: string; title: string }>).find(
      (q) => q.title === '导入载荷测验',
    );
    expect(quiz).toBeDefined();
    await takeQuiz('imported bank', quiz?.id as string);
  });
});
