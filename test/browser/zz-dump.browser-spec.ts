import { writeFileSync } from 'node:fs';
import { startTestApp } from '../helpers/test-app';
import { launchBrowser, newPage, signIn } from './browser';
it('dumps', async () => {
  const t = await startTestApp();
  const browser = await launchBrowser();
  for (const [who, paths] of Object.entries(JSON.parse(process.env.DUMP ?? '{}') as Record<string, string[]>)) {
    const { page } = await newPage(browser, { width: 360, height: 740 }, process.env.DUMP_LANG ?? 'en');
    await signIn(page, t.url, who);
    for (const p of paths) {
      await page.goto(t.url + p);
      writeFileSync(`/tmp/explore/${who}${p.replace(/[/?=&]/g, '_')}.html`, await page.content());
    }
  }
  await browser.close();
  await t.close();
}, 120000);
