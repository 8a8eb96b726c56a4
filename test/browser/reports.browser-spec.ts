import { Browser } from 'playwright-core';
import { startTestApp, TestApp } from '../helpers/test-app';
import {
  keepScreenshot,
  launchBrowser,
  newPage,
  PHONE,
  seriousAccessibilityViolations,
  signIn,
} from './browser';

describe('The regularity report on a phone', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestApp();
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows the summary first and scrolls only the grid sideways on a 360x740 screen', async () => {
    const { context, page } = await newPage(browser, PHONE);
    await signIn(page, t.url, 'admin');
    await page.goto(`${t.url}/reports`);
    await page.waitForSelector('svg[role="img"]');
    expect(await page.locator('.reports-summary').count()).toBe(1);
    expect(await page.locator('svg[role="img"] title').first().textContent()).toContain('示范市');
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await keepScreenshot(page, 'reports-regularity-phone');
    await page.goto(`${t.url}/reports/hours`);
    await page.waitForSelector('h1');
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
    ).toBeLessThanOrEqual(0);
    await keepScreenshot(page, 'reports-hours-phone');
    await context.close();
  }, 120_000);
});
