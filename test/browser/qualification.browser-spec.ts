import { Browser } from 'playwright-core';
import { startTestApp, TestApp } from '../helpers/test-app';
import {
  keepScreenshot,
  launchBrowser,
  newPage,
  PAGE_BUDGET,
  pageWeight,
  PHONE,
  seriousAccessibilityViolations,
  signIn,
} from './browser';

describe('The qualification page on a phone', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestApp();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it.each(['zh-CN', 'en'])(
    'shows a registered social worker their level, post, next level and continuing-education hours (%s)',
    async (locale) => {
      const { context, page } = await newPage(browser, PHONE, locale);
      await signIn(page, t.url, 'secretary');
      await page.goto(`${t.url}/me/qualification?lang=${locale}`);
      const text = await page.locator('main').innerText();
      expect(text).toContain(locale === 'en' ? 'Social worker' : '社会工作师');
      expect(await page.locator('progress, .progress').count()).toBeGreaterThan(0);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - window.innerWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
      expect(await seriousAccessibilityViolations(page)).toEqual([]);
      expect(await pageWeight(page)).toBeLessThan(PAGE_BUDGET);
      await keepScreenshot(page, `qualification-phone-${locale}`);
      await context.close();
    },
  );
});
