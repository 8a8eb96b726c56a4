import { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestApp, TestApp } from '../helpers/test-app';
import {
  allPayloads,
  bankGift,
  bankMarkdown,
  ENTITY_EXPECTATIONS,
  EXTERNAL_HREF,
  marker,
  PAYLOADS as ALL,
  XssPayload,
} from '../security/xss-payloads';
import { DESKTOP, keepScreenshot, launchBrowser, newPage, signIn } from './browser';

/**
 * The payloads of the e2e suite, except that the external image of case 71 points at this site: `img-src 'self'`
 * stops every external image (a CSP report that is no script), so here any report left means something tried to
 * run. The external variant is checked for its markup in test/security/markdown-xss.e2e-spec.ts.
 */
const PAYLOADS: XssPayload[] = ALL.map((p) => ({
  ...p,
  markdown: p.markdown.replace('https://x.example/a.png', '/static/none.png'),
}));

/**
 * SECURITY-TESTS.md section G in a real Chromium: a learner (and the admin) open a lesson, a course description,
 * a quiz and its review holding every payload of cases 70-77, and a trainer types them into the editor with its
 * live preview. Any dialog (alert, confirm, prompt), any page error and any Content-Security-Policy violation
 * fails the run. Case 80: with the sanitiser bypassed (hostile HTML written straight into the database), the CSP
 * header (`script-src 'self'`, no 'unsafe-inline') must stop every script and report the violations.
 */
describe('XSS in a real browser: sanitised payloads stay inert, and the CSP stops what a sanitiser would miss', () => {
  let t: TestApp;
  let browser: Browser;
  let lessonId: string;
  let bypassLessonId: string;
  const quizzes: Record<string, string> = {};

  interface Watch {
    dialogs: string[];
    cspConsole: string[];
    pageErrors: string[];
    documents: Array<{ url: string; status: number; csp: string }>;
    foreign: string[];
  }

  /** A signed-in page that records dialogs, CSP reports (console and events), page errors and requests away. */
  async function watchedPage(
    username: string,
  ): Promise<{ context: BrowserContext; page: Page; watch: Watch }> {
    const { context, page } = await newPage(browser, DESKTOP);
    page.setDefaultTimeout(10_000);
    const watch: Watch = {
      dialogs: [],
      cspConsole: [],
      pageErrors: [],
      documents: [],
      foreign: [],
    };
    page.on('dialog', (dialog) => {
      watch.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on('console', (message) => {
      if (/content[- ]security[- ]policy/i.test(message.text())) {
        watch.cspConsole.push(message.text());
      }
    });
    page.on('pageerror', (error) => watch.pageErrors.push(error.message));
    page.on('request', (request) => {
      if (!request.url().startsWith(t.url) && !request.url().startsWith('data:')) {
        watch.foreign.push(request.url());
      }
    });
    page.on('response', (response) => {
      if (response.request().resourceType() === 'document') {
        watch.documents.push({
          url: response.url(),
          status: response.status(),
          csp: response.headers()['content-security-policy'] ?? '',
        });
      }
    });
    // Also the structured reports (an init script runs outside the page's CSP).
    await page.addInitScript(() => {
      const w = window as unknown as { cspViolations: string[] };
      w.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => {
        w.cspViolations.push(`${e.effectiveDirective} ${e.blockedURI}`);
      });
    });
    await signIn(page, t.url, username);
    return { context, page, watch };
  }

  const cspEvents = (page: Page): Promise<string[]> =>
    page.evaluate(() => (window as unknown as { cspViolations?: string[] }).cspViolations ?? []);

  /**
   * Hovers and focuses every element of the user content (so a surviving onmouseover/onfocus would fire), then
   * reports what the DOM holds that could run: inline or foreign script, frames, objects, base and refresh tags,
   * event-handler attributes, javascript:/vbscript:/data:text/html URLs, and in user content style attributes,
   * forms, inputs, SVG and MathML; links opening a new tab without rel="noopener noreferrer".
   */
  async function domProblems(page: Page): Promise<string[]> {
    return page.evaluate(() => {
      const out: string[] = [];
      const content = [...document.querySelectorAll('[data-user-content]')];
      for (const el of content.flatMap((c) => [c, ...c.querySelectorAll('*')]).slice(0, 5000)) {
        for (const type of ['mouseover', 'mouseenter', 'focus', 'toggle', 'animationstart']) {
          el.dispatchEvent(new Event(type));
        }
      }
      for (const s of document.querySelectorAll('script')) {
        const src = s.getAttribute('src');
        if (
          !src ||
          new URL(src, location.href).origin !== location.origin ||
          s.textContent?.trim()
        ) {
          out.push(`script ${s.outerHTML.slice(0, 80)}`);
        }
      }
      for (const el of document.querySelectorAll(
        'iframe,frame,object,embed,applet,base,meta[http-equiv],style',
      )) {
        out.push(`element <${el.tagName.toLowerCase()}>`);
      }
      for (const el of document.querySelectorAll('*')) {
        for (const a of el.attributes) {
          if (/^on/i.test(a.name) || ['srcdoc', 'formaction', 'xlink:href'].includes(a.name)) {
            out.push(`attribute ${a.name} on <${el.tagName.toLowerCase()}>`);
          }
          if (
            ['href', 'src', 'action', 'data', 'poster'].includes(a.name) &&
            /^(javascript|vbscript|data:text\/html)/i.test(a.value.replace(/[\s\p{Cc}]/gu, ''))
          ) {
            out.push(`${a.name}=${a.value}`);
          }
        }
      }
      for (const c of content) {
        for (const el of c.querySelectorAll('[style],form,input,button,textarea,select,svg,math')) {
          out.push(`in user content: <${el.tagName.toLowerCase()}>`);
        }
      }
      for (const a of document.querySelectorAll('a[target]')) {
        const rel = (a.getAttribute('rel') ?? '').split(/\s+/);
        if (!rel.includes('noopener') || !rel.includes('noreferrer')) {
          out.push(`a[target] without rel: ${a.getAttribute('href')}`);
        }
      }
      return out;
    });
  }

  /** Every HTML document answered with a CSP that forbids inline and foreign script, plugins and framing. */
  function expectStrictCsp(watch: Watch): void {
    expect(watch.documents.length).toBeGreaterThan(0);
    for (const doc of watch.documents) {
      const directives = new Map(
        doc.csp
          .split(';')
          .map((d) => d.trim().split(/\s+/))
          .filter((d) => d[0])
          .map(([name, ...values]) => [name, values]),
      );
      const where = `${doc.status} ${doc.url}`;
      expect({ where, script: directives.get('script-src') }).toEqual({
        where,
        script: ["'self'"],
      });
      expect({ where, object: directives.get('object-src') }).toEqual({
        where,
        object: ["'none'"],
      });
      expect({ where, base: directives.get('base-uri') }).toEqual({ where, base: ["'self'"] });
      expect({ where, frames: directives.get('frame-ancestors') }).toEqual({
        where,
        frames: ["'none'"],
      });
      expect({ where, attr: directives.get('script-src-attr') ?? ["'none'"] }).toEqual({
        where,
        attr: ["'none'"],
      });
    }
  }

  /** Visits a page and fails on anything that ran, was reported by the CSP, or could run. */
  async function expectInert(page: Page, watch: Watch, name: string): Promise<void> {
    await page.waitForLoadState('load');
    const problems = await domProblems(page);
    // Handlers and timers a payload could have set get a moment to fire.
    await page.waitForTimeout(300);
    const events = await cspEvents(page);
    expect({ name, dialogs: watch.dialogs, problems }).toEqual({ name, dialogs: [], problems: [] });
    expect({ name, csp: [...watch.cspConsole, ...events] }).toEqual({ name, csp: [] });
    expect({ name, errors: watch.pageErrors }).toEqual({ name, errors: [] });
    expect({ name, foreign: watch.foreign }).toEqual({ name, foreign: [] });
    await keepScreenshot(page, `xss-${name}`);
  }

  async function visit(page: Page, watch: Watch, path: string, name: string): Promise<void> {
    const res = await page.goto(t.url + path);
    expect({ name, status: res?.status() }).toEqual({ name, status: 200 });
    await expectInert(page, watch, name);
  }

  beforeAll(async () => {
    t = await startTestApp();
    browser = await launchBrowser();
    const [trainer, cadre] = await Promise.all([t.token('trainer'), t.token('cadre')]);
    const markdown = allPayloads(PAYLOADS);
    const created = await t.api('POST', '/api/v1/courses', {
      token: trainer,
      body: {
        slug: 'xss-browser',
        title: '浏览器载荷课程',
        titleEn: 'Browser payload course',
        trainingKind: 'special_topic',
        hours: 1,
        summary: '浏览器载荷',
        overview: markdown,
        competencies: ['communication'],
        modules: [
          {
            title: '载荷',
            titleEn: 'Payloads',
            lessons: [
              { title: '全部载荷', titleEn: 'All payloads', minutes: 10, markdown },
              { title: '绕过过滤', titleEn: 'Sanitiser bypassed', minutes: 5, markdown: '占位' },
            ],
          },
        ],
      },
    });
    expect(created.status).toBe(201);
    expect(
      (await t.api('POST', '/api/v1/courses/xss-browser/publish', { token: trainer })).status,
    ).toBe(200);
    expect(
      (await t.api('POST', '/api/v1/courses/xss-browser/enrol', { token: cadre, body: {} })).status,
    ).toBe(201);
    const course = await t.api('GET', '/api/v1/courses/xss-browser', { token: cadre });
    [lessonId, bypassLessonId] = course.json.modules[0].lessons.map((l: { id: string }) => l.id);
    for (const [name, format, text] of [
      ['markdown', 'markdown', bankMarkdown('xss-browser-bank', 'xss-browser', '[]', PAYLOADS)],
      ['moodle', 'gift', bankGift('', PAYLOADS)],
    ]) {
      const bank = await t.api(
        'POST',
        `/api/v1/question-banks/import?format=${format}&bankName=browser-${name}`,
        { token: trainer, raw: text, headers: { 'content-type': 'text/plain' } },
      );
      expect(bank.status).toBe(201);
      const quiz = await t.api('POST', '/api/v1/quizzes', {
        token: trainer,
        body: {
          courseSlug: 'xss-browser',
          title: `浏览器载荷测验 ${name}`,
          bankId: bank.json.bankId,
          passMark: 0,
          review: 'feedback',
        },
      });
      expect(quiz.status).toBe(201);
      quizzes[name] = quiz.json.id as string;
    }
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('the learner reads the course description and the lesson: nothing runs, entities show once, external links are safe', async () => {
    const { context, page, watch } = await watchedPage('cadre');
    try {
      await visit(page, watch, '/courses/xss-browser', 'course');
      await visit(page, watch, `/lessons/${lessonId}`, 'lesson');
      const text = await page.locator('.lesson-body').innerText();
      for (const p of PAYLOADS) {
        expect({ id: p.id, shown: text.includes(marker(p)) }).toEqual({ id: p.id, shown: true });
      }
      for (const expected of Object.values(ENTITY_EXPECTATIONS)) {
        expect(text).toContain(expected.text);
      }
      const link = page.locator(`.lesson-body a[href="${EXTERNAL_HREF}"]`);
      await expect(link.getAttribute('rel')).resolves.toBe('noopener noreferrer');
      await expect(link.getAttribute('target')).resolves.toBe('_blank');
      expectStrictCsp(watch);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('the learner takes both quizzes and reads the reviews with every option feedback; the admin sees the same', async () => {
    const learner = await watchedPage('cadre');
    const cadre = await t.token('cadre');
    const attempts: string[] = [];
    try {
      for (const [name, quizId] of Object.entries(quizzes)) {
        const { page, watch } = learner;
        await visit(page, watch, `/quizzes/${quizId}`, `quiz-${name}`);
        await page.locator(`form[action="/quizzes/${quizId}/start"] button[type=submit]`).click();
        await page.waitForURL(/\/attempts\//);
        await expectInert(page, watch, `attempt-${name}`);
        const attemptId = new URL(page.url()).pathname.split('/').pop() as string;
        attempts.push(attemptId);
        const options = await page.locator('[data-user-content]').count();
        expect(options).toBeGreaterThan(PAYLOADS.length);
        expect(
          (await t.api('POST', `/api/v1/attempts/${attemptId}/submit`, { token: cadre })).status,
        ).toBeLessThan(300);
        await visit(page, watch, `/attempts/${attemptId}`, `review-${name}`);
        expectStrictCsp(watch);
      }
    } finally {
      await learner.context.close();
    }
    const admin = await watchedPage('admin');
    try {
      await visit(admin.page, admin.watch, `/lessons/${lessonId}`, 'lesson-admin');
      for (const [i, attemptId] of attempts.entries()) {
        await visit(admin.page, admin.watch, `/attempts/${attemptId}`, `review-admin-${i}`);
      }
      await visit(
        admin.page,
        admin.watch,
        `/author/quizzes/${quizzes.markdown}/analysis`,
        'analysis-admin',
      );
      expectStrictCsp(admin.watch);
    } finally {
      await admin.context.close();
    }
  }, 180_000);

  it('the trainer types every payload into the editor: the live preview and the Preview button stay inert', async () => {
    const { context, page, watch } = await watchedPage('trainer');
    try {
      await visit(page, watch, '/author/courses/xss-browser/lessons/new', 'editor');
      await page.fill('[name=title]', '编辑器载荷');
      await page.fill('[name=minutes]', '5');
      await page.fill('[name=markdown]', allPayloads(PAYLOADS));
      // author.js posts the text to the preview endpoint and puts the sanitised answer into #preview.
      await page.waitForFunction(
        (m) => document.getElementById('preview')?.textContent?.includes(m),
        marker(PAYLOADS[PAYLOADS.length - 1]),
      );
      await expectInert(page, watch, 'editor-live-preview');
      await page.locator('button[name=intent][value=preview]').click();
      await page.waitForLoadState('load');
      await expect(page.locator('#preview').innerText()).resolves.toContain(marker(PAYLOADS[0]));
      await expectInert(page, watch, 'editor-preview-button');
      expectStrictCsp(watch);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('case 80: with the sanitiser bypassed, the CSP blocks inline script, handlers, javascript: URLs and frames, and reports them', async () => {
    const hostile = [
      '<p id="bypass">绕过</p>',
      "<script>alert('inline script')</script>",
      `<img src="/static/none.png" onerror="alert('onerror')">`,
      `<svg onload="alert('svg onload')"><circle r="1"></circle></svg>`,
      `<a id="js-link" href="javascript:alert('javascript: link')">x</a>`,
      `<iframe srcdoc="<script>parent.alert('srcdoc')</script>"></iframe>`,
      `<object data="data:text/html,<script>alert('object')</script>"></object>`,
      `<div onmouseover="alert('mouseover')" id="hover">hover</div>`,
    ].join('\n');
    await t.dataSource.query(
      t.db === 'postgres'
        ? 'UPDATE lessons SET html = $1 WHERE id = $2'
        : 'UPDATE lessons SET html = ? WHERE id = ?',
      [hostile, bypassLessonId],
    );
    const { context, page, watch } = await watchedPage('cadre');
    try {
      const res = await page.goto(`${t.url}/lessons/${bypassLessonId}`);
      expect(res?.status()).toBe(200);
      await page.waitForSelector('#bypass');
      await page.hover('#hover');
      await page.click('#js-link');
      await page.waitForTimeout(500);
      const events = await cspEvents(page);
      expect(watch.dialogs).toEqual([]);
      // The browser did see hostile markup and said so: inline script and inline handlers were refused.
      expect(events.some((e) => e.startsWith('script-src-elem inline'))).toBe(true);
      expect(events.some((e) => e.startsWith('script-src-attr inline'))).toBe(true);
      expect(watch.cspConsole.length).toBeGreaterThan(0);
      expectStrictCsp(watch);
      await keepScreenshot(page, 'xss-csp-bypass');
    } finally {
      await context.close();
    }
  }, 120_000);
});
