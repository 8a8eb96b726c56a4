import { readFileSync } from 'node:fs';
import { Browser } from 'playwright-core';
import { catalogue } from '../../src/common/i18n/i18n';
import { startTestApp, TestApp } from '../helpers/test-app';
import {
  Journey,
  keepRecords,
  launchBrowser,
  PageRecord,
  RUNS,
  UserContent,
  withoutScript,
} from './browser';

const GIFT = '/work/shared/fixtures/gift/moodle-examples.gift.txt';

/** The trainer writes a course with a previewed lesson, publishes it, imports Moodle's GIFT examples, reads item analysis. */
describe('Journey: a trainer writes a course, imports a question bank and reads item analysis', () => {
  let t: TestApp;
  let browser: Browser;
  let keys: Set<string>;
  let content: UserContent;
  let analysedQuiz: string;
  const records: PageRecord[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    browser = await launchBrowser();
    keys = new Set(Object.keys(catalogue('zh-CN')));
    content = new UserContent(t.dataSource);
    // The final test most demo colleagues took, so item analysis has rows to read.
    [{ quiz_id: analysedQuiz }] = await t.dataSource.query(
      `SELECT quiz_id, COUNT(*) AS n FROM quiz_attempts GROUP BY quiz_id ORDER BY n DESC`,
    );
    await content.refresh();
  }, 120_000);
  afterAll(async () => {
    keepRecords('trainer', records);
    await browser?.close();
    await t?.close();
  });

  RUNS.forEach((run, i) => {
    it(`${run.size} ${run.viewport.width}x${run.viewport.height}, ${run.lang}`, async () => {
      const j = await Journey.start(browser, t.url, 'trainer', run, keys, content);
      const page = j.page;
      const slug = `elderly-care-visits-${i + 1}`;
      try {
        await j.check('home');
        await j.visit('/author', 'author');
        await page.locator('a[href="/author/new"]').click();
        await page.waitForURL(/\/author\/new/);
        await j.check('course-new');
        await page.fill('[name=slug]', slug);
        await page.fill('[name=title]', `独居老人关爱走访（第${i + 1}期）`);
        await page.fill('[name=titleEn]', `Visiting older people who live alone (${i + 1})`);
        await page.fill('[name=hours]', '2');
        await page.fill('[name=summary]', '走访独居老人的准备、谈话和记录。');
        await page.fill(
          '[name=summaryEn]',
          'Preparing, talking and recording a visit to an older person living alone.',
        );
        await page.locator('form[action="/author/courses"] button[type=submit]').click();
        await page.waitForURL(new RegExp(`/author/courses/${slug}(\\?|#|$)`));
        await j.check('course-draft');

        // A lesson, previewed before saving (the preview button posts the form: it works without script too).
        await page.locator(`a[href="/author/courses/${slug}/lessons/new"]`).click();
        await page.waitForURL(/lessons\/new/);
        await page.fill('[name=title]', '走访前的准备');
        await page.fill('[name=titleEn]', 'Before the visit');
        await page.fill('[name=minutes]', '20');
        await page.fill(
          '[name=markdown]',
          '## 带什么\n\n- 走访记录表\n- 联系卡\n\n先打电话约好时间。',
        );
        await page.locator('button[name=intent][value=preview]').click();
        await page.waitForSelector('#preview h2');
        await expect(page.locator('#preview li').count()).resolves.toBe(2);
        await j.check('lesson-preview');
        await page.locator('button[name=intent][value=save]').click();
        await page.waitForURL(new RegExp(`/author/courses/${slug}`));
        await page.goto(`${t.url}/author/courses/${slug}`);
        await page.locator(`form[action="/author/courses/${slug}/publish"] button`).click();
        await page.waitForLoadState();
        await expect(
          page.locator(`form[action="/author/courses/${slug}/publish"]`).count(),
        ).resolves.toBe(0);
        await j.check('course-published');
        await j.visit(`/courses/${slug}`, 'course-public');

        // Moodle's GIFT examples into a new bank.
        await j.visit('/author/banks', 'banks');
        await page.selectOption('select[name=format]', 'gift');
        await page.fill('[name=bankName]', `Moodle 示例题 ${i + 1}`);
        await page.check('input[name=partial]');
        await page.setInputFiles('input[name=file]', {
          name: 'moodle-examples.gift.txt',
          mimeType: 'text/plain',
          buffer: readFileSync(GIFT),
        });
        await page.locator('form[action^="/author/banks/import"] button[type=submit]').click();
        await page.waitForSelector('[role=status] .alert');
        await expect(page.locator('[role=status] .alert.ok').count()).resolves.toBe(1);
        await j.check('bank-imported');

        // Item analysis of a final test the demo colleagues took.
        await page.locator(`a[href="/author/quizzes/${analysedQuiz}/analysis"]`).click();
        await page.waitForURL(/\/analysis$/);
        await expect(page.locator('main table').count()).resolves.toBeGreaterThan(0);
        await j.check('analysis');

        if (i === 0) {
          const nojs = await withoutScript(
            browser,
            j.context,
            `${t.url}/author/courses/${slug}/lessons/new`,
            run.lang,
          );
          await nojs.page.fill('[name=title]', '无脚本预览');
          await nojs.page.fill('[name=minutes]', '5');
          await nojs.page.fill('[name=markdown]', '## 标题\n\n正文');
          await nojs.page.locator('button[name=intent][value=preview]').click();
          await nojs.page.waitForSelector('#preview h2');
          await nojs.close();
        }
      } finally {
        records.push(...j.records);
        await j.close();
      }
    }, 120_000);
  });
});
