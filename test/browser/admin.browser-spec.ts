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

/** The city administrator imports people from CSV, reads the regularity report and revokes a certificate. */
describe('Journey: an administrator imports people, reads the report and revokes a certificate', () => {
  let t: TestApp;
  let browser: Browser;
  let keys: Set<string>;
  let content: UserContent;
  let branchId: string;
  let holders: Array<{ id: string; username: string }>;
  const records: PageRecord[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    browser = await launchBrowser();
    keys = new Set(Object.keys(catalogue('zh-CN')));
    content = new UserContent(t.dataSource);
    [{ org_id: branchId }] = await t.dataSource.query(
      `SELECT org_id FROM users WHERE username = 'secretary'`,
    );
    // People with a valid certificate, one per run (each run revokes one).
    holders = await t.dataSource.query(
      `SELECT DISTINCT u.id, u.username FROM users u JOIN certificates c ON c.user_id = u.id WHERE c.status = 'valid' ORDER BY u.username`,
    );
    expect(holders.length).toBeGreaterThanOrEqual(RUNS.length);
    await content.refresh();
  }, 120_000);
  afterAll(async () => {
    keepRecords('admin', records);
    await browser?.close();
    await t?.close();
  });

  RUNS.forEach((run, i) => {
    it(`${run.size} ${run.viewport.width}x${run.viewport.height}, ${run.lang}`, async () => {
      const j = await Journey.start(browser, t.url, 'admin', run, keys, content);
      const page = j.page;
      try {
        await j.check('home');
        await j.visit('/admin', 'people');
        const csv = [
          'username,name,org,phone,postType,partyMember',
          `newcomer${i}a,周新民,${branchId},1390000${i}001,other,是`,
          `newcomer${i}b,吴晓燕,${branchId},1390000${i}002,deputy,否`,
          `secretary,重复的人,${branchId},13900009999,other,否`,
        ].join('\n');
        await page.setInputFiles('#people-file', {
          name: 'people.csv',
          mimeType: 'text/csv',
          buffer: Buffer.from(csv, 'utf8'),
        });
        await page.locator('form[action^="/admin/people/import"] button[type=submit]').click();
        await page.waitForSelector('#import-result');
        await expect(page.locator('#import-result').innerText()).resolves.toMatch(/2/);
        await expect(page.locator('.badge.bad').count()).resolves.toBe(1);
        await j.check('people-imported');

        await j.visit('/reports', 'regularity');
        await expect(page.locator('svg[role="img"]').count()).resolves.toBeGreaterThan(0);
        await page.emulateMedia({ media: 'print' });
        await expect(page.locator('header.top').isVisible()).resolves.toBe(false);
        await j.check('regularity-print');
        await page.emulateMedia({ media: 'screen' });

        // Revoke a certificate from the holder's page; the public verification page then says revoked.
        const holder = holders[i];
        await j.visit(`/qualification/people/${holder.id}`, 'person');
        const form = page.locator('form[action*="/revoke"]').first();
        await form.locator('textarea[name=reason]').fill('结业测验成绩录入有误，经核实未达合格线');
        await form.locator('button[type=submit]').click();
        await page.waitForURL(/done=revoked/);
        await j.check('certificate-revoked');
        await page.locator('#certificates a[href^="/verify/"]').first().click();
        await page.waitForURL(/\/verify\//);
        await expect(page.locator('.alert.error').count()).resolves.toBe(1);
        await j.check('verify-revoked');

        if (i === 0) {
          const nojs = await withoutScript(browser, j.context, `${t.url}/admin`, run.lang);
          await expect(nojs.page.locator('#people-file').count()).resolves.toBe(1);
          await nojs.page.goto(`${t.url}/reports`);
          await expect(nojs.page.locator('svg[role="img"]').count()).resolves.toBeGreaterThan(0);
          await nojs.close();
        }
      } finally {
        records.push(...j.records);
        await j.close();
      }
    }, 120_000);
  });
});
