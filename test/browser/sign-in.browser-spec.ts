import { Browser } from 'playwright-core';
import { startTestApp, TestApp } from '../helpers/test-app';
import {
  keepScreenshot,
  launchBrowser,
  newPage,
  pageWeight,
  PHONE,
  seriousAccessibilityViolations,
  signIn,
} from './browser';

describe('Signing in on a phone', () => {
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

  it('signs the cadre in on a 360x740 screen and shows their dashboard without horizontal scrolling', async () => {
    const { context, page } = await newPage(browser, PHONE);
    await page.goto(`${t.url}/login`);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(await pageWeight(page)).toBeLessThan(60 * 1024);
    await keepScreenshot(page, 'sign-in-phone');
    await signIn(page, t.url, 'cadre');
    await page.waitForSelector('h1');
    expect(await page.locator('h1').innerText()).toContain('李小红');
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await keepScreenshot(page, 'dashboard-phone');
    await context.close();
  });

  it('shows a clear message for a wrong password and switches to English', async () => {
    const { context, page } = await newPage(browser, PHONE);
    await page.goto(`${t.url}/login?lang=en`);
    await page.getByLabel('Username').fill('cadre');
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').innerText()).resolves.toContain(
      'The username or password is wrong.',
    );
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await keepScreenshot(page, 'sign-in-error-en-phone');
    await context.close();
  });
});
