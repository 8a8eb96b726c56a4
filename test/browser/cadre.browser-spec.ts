import { Browser } from 'playwright-core';
import { catalogue } from '../../src/common/i18n/i18n';
import { startTestApp, TestApp } from '../helpers/test-app';
import {
  Journey,
  keepRecords,
  launchBrowser,
  PageRecord,
  RUNS,
  signIn,
  UserContent,
  scheduleStudyDaySoon,
  withoutScript,
} from './browser';

/**
 * The cadre on a phone and at a desk, in Chinese and in English: what is due, read a lesson and mark it done,
 * take a timed quiz and read the review, check in with the code the secretary projects, see hours and a
 * certificate, verify it. Each run takes a different course so the four runs share one app without colliding.
 */
describe('Journey: a cadre learns, takes a test, checks in and shows a certificate', () => {
  let t: TestApp;
  let browser: Browser;
  let keys: Set<string>;
  let content: UserContent;
  let quizzes: Array<{ id: string; course_slug: string }>;
  let studyDayId: string;
  const records: PageRecord[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    browser = await launchBrowser();
    keys = new Set(Object.keys(catalogue('zh-CN')));
    content = new UserContent(t.dataSource);
    await content.refresh();
    quizzes = await t.dataSource.query(
      `SELECT q.id, q.course_slug FROM quizzes q WHERE q.time_limit_seconds IS NOT NULL AND q.lesson_id IS NULL
         AND q.course_id NOT IN (SELECT e.course_id FROM enrolments e JOIN users u ON u.id = e.user_id WHERE u.username = 'cadre')
       ORDER BY q.course_slug`,
    );
    // A study day starting in ten minutes in the cadre's branch, so its check-in window is open now.
    studyDayId = await scheduleStudyDaySoon(t, 10);
    expect(quizzes.length).toBeGreaterThanOrEqual(RUNS.length);
  }, 120_000);
  afterAll(async () => {
    keepRecords('cadre', records);
    await browser?.close();
    await t?.close();
  });

  RUNS.forEach((run, i) => {
    it(`${run.size} ${run.viewport.width}x${run.viewport.height}, ${run.lang}`, async () => {
      const j = await Journey.start(browser, t.url, 'cadre', run, keys, content);
      const page = j.page;
      const en = run.lang === 'en';
      try {
        // What is due: courses, hours still needed, the next study day and make-ups.
        await j.check('home');
        await expect(page.locator('.home-learning').count()).resolves.toBe(1);
        await expect(
          page.locator(`a[href="/study-days/${studyDayId}"]`).count(),
        ).resolves.toBeGreaterThan(0);

        // A course of this run: enrol, open the first lesson not done, read it, mark it done.
        const quiz = quizzes[i];
        await j.visit(`/courses/${quiz.course_slug}`, 'course');
        const enrol = page.getByRole('button', { name: en ? 'Enrol' : '报名学习' });
        if (await enrol.count()) {
          await enrol.first().click();
          await page.waitForLoadState();
        }
        await page.locator('.outline li:not(.done) a[href^="/lessons/"]').first().click();
        await page.waitForURL(/\/lessons\//);
        await j.check('lesson');
        await page
          .getByRole('button', { name: en ? 'I have finished this lesson' : '我已学完本课' })
          .click();
        await page.waitForSelector('.lesson-actions');
        await expect(page.getByRole('status').innerText()).resolves.toBeTruthy();
        await j.check('lesson-done');

        // A timed quiz: start, answer the first question, finish, confirm, read the review.
        await j.visit(`/quizzes/${quiz.id}`, 'quiz');
        await page.locator(`form[action="/quizzes/${quiz.id}/start"] button`).click();
        await page.waitForURL(/\/attempts\//);
        await j.check('attempt');
        const option = page
          .locator('.quiz-form input[type=radio], .quiz-form input[type=checkbox]')
          .first();
        if (await option.count()) {
          await option.check();
        }
        await page.locator('button[name=go][value=finish]').click();
        await page.waitForURL(/\/confirm/);
        await j.check('attempt-confirm');
        await page.locator('form[action$="/submit"] button[type=submit]').click();
        await page.waitForURL((u) => /\/attempts\/[^/]+$/.test(u.pathname));
        await expect(page.locator('.quiz-score').count()).resolves.toBeGreaterThan(0);
        await j.check('attempt-review');

        // Check in: the secretary projects the code on a second screen; the cadre types it.
        const secretary = await browser.newContext({
          viewport: { width: 1366, height: 768 },
          locale: run.lang,
        });
        const projector = await secretary.newPage();
        await signIn(projector, t.url, 'secretary');
        projector.setDefaultTimeout(8000);
        await projector.goto(`${t.url}/study-days/${studyDayId}/projector`);
        if (!(await projector.locator('.sd-code').count())) {
          await projector.locator(`form[action="/study-days/${studyDayId}/open"] button`).click();
          await projector.waitForSelector('.sd-code');
        }
        const code = (await projector.locator('.sd-code').innerText()).replace(/\s/g, '');
        expect(code).toMatch(/^\d{4,9}$/);
        await secretary.close();
        await j.visit('/check-in', 'check-in');
        await page.getByLabel(en ? 'Check-in code' : '签到码').fill(code);
        await page.getByRole('button', { name: en ? 'Check in' : '签到', exact: true }).click();
        await page.waitForLoadState();
        const answer = await page.locator('main').innerText();
        // The first run checks in; later runs are told the cadre is already checked in.
        expect(answer).toMatch(en ? /Present|Late|already checked in/ : /出勤|迟到|已经签到/);
        await j.check('check-in-done');

        // Hours on the transcript, a certificate, and its public verification page.
        await j.visit('/me/transcript', 'transcript');
        await expect(page.locator('main table').count()).resolves.toBeGreaterThan(0);
        await j.visit('/me/certificates', 'certificates');
        await page.locator('a[href^="/verify/"]').first().click();
        await page.waitForURL(/\/verify\//);
        await expect(page.locator('main').innerText()).resolves.toMatch(en ? /valid/i : /有效/);
        await j.check('verify');

        if (i === 0) {
          // Without script: the home page, the check-in form and a lesson still work (forms post, pages render).
          const home = await withoutScript(browser, j.context, `${t.url}/`, run.lang);
          await expect(home.page.locator('h1').innerText()).resolves.toContain('李小红');
          await home.page.goto(`${t.url}/check-in`);
          await expect(
            home.page.locator('form[action="/check-in"] input[name=code]').count(),
          ).resolves.toBe(1);
          await home.page.goto(`${t.url}/quizzes/${quizzes[3].id}`);
          await expect(home.page.locator('main h1').count()).resolves.toBe(1);
          await home.close();
        }
      } finally {
        records.push(...j.records);
        await j.close();
      }
    }, 120_000);
  });
});
