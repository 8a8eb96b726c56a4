import { DateTime } from 'luxon';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestApp } from '../helpers/test-app';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { sameDayTimes } from '../helpers/study-day-times';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = join(__dirname, 'artifacts');
export const PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1366, height: 768 };

/** Debian's Chromium with the flags this machine needs (no sandbox as root, no background network). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

export async function newPage(
  browser: Browser,
  viewport: { width: number; height: number },
  locale = 'zh-CN',
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, locale, deviceScaleFactor: 1 });
  const page = await context.newPage();
  return { context, page };
}

/** Keeps a screenshot of a key screen under test/browser/artifacts/ (not committed). */
export async function keepScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export async function signIn(
  page: Page,
  base: string,
  username: string,
  password = 'demo1234',
): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByLabel(/用户名|Username/).fill(username);
  await page.getByLabel(/密码|Password/).fill(password);
  await page.getByRole('button', { name: /登录|Sign in/ }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core inside the page (page.evaluate is not subject to the page's CSP, so no inline script is needed)
 * and returns the serious and critical violations.
 */
export async function seriousAccessibilityViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run: (
            ctx: Document,
            opts: unknown,
          ) => Promise<{
            violations: Array<{
              id: string;
              impact: string | null;
              help: string;
              nodes: Array<{ target: string[] }>;
            }>;
          }>;
        };
      }
    ).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => n.target.join(' ')),
      }));
  });
}

/** Bytes over the wire (compressed, with headers) of the page's HTML, CSS and script on a first, uncached load. */
export async function pageWeight(page: Page): Promise<number> {
  return page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
    const resources = (
      performance.getEntriesByType('resource') as PerformanceResourceTiming[]
    ).filter(
      (r) => ['css', 'script', 'link'].includes(r.initiatorType) || /\.(css|js)(\?|$)/.test(r.name),
    );
    return [...nav, ...resources].reduce((sum, r) => sum + r.transferSize, 0);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Journeys: one persona, one screen size, one language; every page visited is checked the same way.

export type JourneyLang = 'zh-CN' | 'en';
export interface JourneyRun {
  size: 'phone' | 'desktop';
  viewport: { width: number; height: number };
  lang: JourneyLang;
}

/** The four runs of every journey: phone and desktop, Chinese and English. */
export const RUNS: JourneyRun[] = [
  { size: 'phone', viewport: PHONE, lang: 'zh-CN' },
  { size: 'phone', viewport: PHONE, lang: 'en' },
  { size: 'desktop', viewport: DESKTOP, lang: 'zh-CN' },
  { size: 'desktop', viewport: DESKTOP, lang: 'en' },
];

export const PAGE_BUDGET = 60 * 1024;
const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;

/**
 * Visible text of the page (text nodes and the labels a screen reader reads), leaving out user content: elements
 * marked `data-user-content` (names, titles, bodies written by people), anything inside an element whose `lang`
 * differs from the page's (the language switch), and decorative elements hidden from assistive technology.
 */
export async function visibleTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const pageLang = document.documentElement.lang;
    const skipped = (el: Element | null): boolean => {
      if (!el) {
        return true;
      }
      if (el.closest('script,style,noscript,template,[data-user-content],[aria-hidden="true"]')) {
        return true;
      }
      const langEl = el.closest('[lang]');
      return !!langEl && langEl.getAttribute('lang') !== pageLang;
    };
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = (n.textContent ?? '').trim();
      const el = n.parentElement;
      if (!text || skipped(el)) {
        continue;
      }
      if (el && !el.closest('.sr-only') && !el.checkVisibility()) {
        continue;
      }
      out.push(text);
    }
    for (const el of document.querySelectorAll(
      '[aria-label],[placeholder],[title],[alt],input[type=submit][value]',
    )) {
      if (skipped(el)) {
        continue;
      }
      for (const attr of ['aria-label', 'placeholder', 'title', 'alt']) {
        const v = el.getAttribute(attr);
        if (v && v.trim()) {
          out.push(v.trim());
        }
      }
      if (el instanceof HTMLInputElement && el.type === 'submit') {
        out.push(el.value);
      }
    }
    out.push(document.title);
    return out;
  });
}

const KEYISH = /\b[a-zA-Z][a-zA-Z0-9]*(?:\.[a-zA-Z0-9_-]+)+\b/g;

/**
 * Language problems of a page: raw catalogue keys (`nav.home`) or template leftovers in either language, and, in
 * English, Chinese characters outside user content (an untranslated or mixed-language label).
 */
export function languageProblems(
  texts: string[],
  lang: JourneyLang,
  keys: ReadonlySet<string>,
  userContent: readonly string[] = [],
): string[] {
  const problems: string[] = [];
  for (const text of texts) {
    for (const m of text.match(KEYISH) ?? []) {
      if (keys.has(m)) {
        problems.push(`raw key "${m}" in "${text.slice(0, 80)}"`);
      }
    }
    if (/\{\{|\}\}|\[object Object\]|\bundefined\b|\bNaN\b|\bInvalid DateTime\b/.test(text)) {
      problems.push(`template leftover in "${text.slice(0, 80)}"`);
    }
    if (lang === 'en' && CJK.test(text) && CJK.test(withoutUserContent(text, userContent))) {
      problems.push(`Chinese in English page: "${text.slice(0, 80)}"`);
    }
  }
  return [...new Set(problems)];
}

function withoutUserContent(text: string, values: readonly string[]): string {
  // A long name shortened for a chart label ("滨江花园社区离退休党…") is still the name.
  let rest = text.replace(/([^\s·:：,，()（）]+)…/g, (whole, head: string) =>
    values.some((v) => v.startsWith(head)) ? ' ' : whole,
  );
  for (const v of values) {
    if (rest.includes(v)) {
      rest = rest.split(v).join(' ');
    }
  }
  return rest;
}

/**
 * Short texts people and content files put in the database (names, places, titles, topics, question text), read
 * from every text column: a Chinese name inside an English sentence ("Hello, 李小红") is user content, not an
 * untranslated label. Longer bodies (lessons, descriptions) are whitelisted by `data-user-content` instead.
 */
export class UserContent {
  private values: string[] = [];
  constructor(private readonly dataSource: DataSource) {}

  get all(): readonly string[] {
    return this.values;
  }

  async refresh(): Promise<readonly string[]> {
    const found = new Set<string>();
    const add = (v: unknown): void => {
      if (typeof v === 'string') {
        const s = v.trim();
        if (s && s.length <= 400 && CJK.test(s)) {
          found.add(s);
          for (const line of s.split(/\n+/)) {
            if (CJK.test(line)) {
              found.add(line.trim());
            }
          }
        }
        if (/^[[{"]/.test(s)) {
          try {
            add(JSON.parse(s));
          } catch {
            /* not JSON */
          }
        }
      } else if (Array.isArray(v)) {
        v.forEach(add);
      } else if (v && typeof v === 'object') {
        Object.values(v).forEach(add);
      }
    };
    for (const meta of this.dataSource.entityMetadatas) {
      const cols = meta.columns.filter((c) =>
        ['varchar', 'text', String, 'simple-json', 'json', 'jsonb'].includes(c.type as string),
      );
      for (const c of cols) {
        const rows: Array<{ v: unknown }> = await this.dataSource.query(
          `SELECT DISTINCT ${c.databaseName} AS v FROM ${meta.tableName}`,
        );
        rows.forEach((r) => add(r.v));
      }
    }
    this.values = [...found].sort((a, b) => b.length - a.length);
    return this.values;
  }
}

export interface PageRecord {
  persona: string;
  name: string;
  path: string;
  lang: JourneyLang;
  size: JourneyRun['size'];
  weight?: number;
  axe: number;
}

/**
 * One person's way through the product in one run. `check(name)` runs on every page reached: axe-core (no serious
 * or critical violation), the language check, no sideways scrolling on a phone, the first-load weight on a fresh
 * context (phone runs; weight does not depend on the screen), and keeps a screenshot.
 */
export class Journey {
  readonly records: PageRecord[] = [];
  private constructor(
    readonly browser: Browser,
    readonly base: string,
    readonly persona: string,
    readonly run: JourneyRun,
    readonly context: BrowserContext,
    readonly page: Page,
    private readonly keys: ReadonlySet<string>,
    private readonly content: UserContent,
  ) {}

  /** Texts accepted despite the language check: each is a reported product defect, named where it is used. */
  readonly knownDefects = new Set<string>();

  static async start(
    browser: Browser,
    base: string,
    persona: string,
    run: JourneyRun,
    keys: ReadonlySet<string>,
    content: UserContent,
  ): Promise<Journey> {
    const { context, page } = await newPage(browser, run.viewport, run.lang);
    // Fail fast: a page of this app answers in well under a second.
    page.setDefaultTimeout(8000);
    const j = new Journey(browser, base, persona, run, context, page, keys, content);
    await signIn(page, base, persona);
    return j;
  }

  get tag(): string {
    return `${this.persona}-${this.run.size}-${this.run.lang === 'en' ? 'en' : 'zh'}`;
  }

  async visit(path: string, name: string): Promise<void> {
    const res = await this.page.goto(this.base + path);
    expect({ page: name, status: res?.status() }).toEqual({ page: name, status: 200 });
    await this.check(name);
  }

  async check(name: string): Promise<void> {
    const page = this.page;
    const path = new URL(page.url()).pathname + new URL(page.url()).search;
    expect({ page: name, lang: await page.locator('html').getAttribute('lang') }).toEqual({
      page: name,
      lang: this.run.lang,
    });
    const violations = await seriousAccessibilityViolations(page);
    expect({ page: name, violations }).toEqual({ page: name, violations: [] });
    const texts = await visibleTexts(page);
    let problems = languageProblems(texts, this.run.lang, this.keys, this.content.all);
    if (problems.length) {
      // Content written during the journey (a new course, an imported bank) joins the whitelist.
      problems = languageProblems(texts, this.run.lang, this.keys, await this.content.refresh());
    }
    problems = problems.filter((p) => ![...this.knownDefects].some((d) => p.includes(d)));
    expect({ page: name, problems }).toEqual({ page: name, problems: [] });
    if (this.run.size === 'phone') {
      const wide = await page.evaluate(() =>
        [...document.querySelectorAll('body *')]
          .filter(
            (e) =>
              e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 &&
              !e.closest('.table-wrap,.chart-wrap,.nav ul,[hidden]'),
          )
          .slice(0, 3)
          .map((e) => `${e.tagName.toLowerCase()}.${e.className}`),
      );
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect({ page: name, overflow: overflow > 0 ? wide : [] }).toEqual({
        page: name,
        overflow: [],
      });
    }
    const record: PageRecord = {
      persona: this.persona,
      name,
      path,
      lang: this.run.lang,
      size: this.run.size,
      axe: violations.length,
    };
    if (this.run.size === 'phone') {
      record.weight = await firstLoadWeight(
        this.browser,
        this.context,
        this.base + path,
        this.run.lang,
      );
      expect({ page: name, over: record.weight > PAGE_BUDGET ? record.weight : 0 }).toEqual({
        page: name,
        over: 0,
      });
    }
    this.records.push(record);
    await keepScreenshot(page, `${this.tag}-${name}`);
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}

/** Weight of a page loaded once in a fresh context (same session cookie, empty cache), with no web font fetched. */
export async function firstLoadWeight(
  browser: Browser,
  from: BrowserContext,
  url: string,
  lang: JourneyLang,
): Promise<number> {
  const fresh = await browser.newContext({ storageState: await from.storageState(), locale: lang });
  try {
    const page = await fresh.newPage();
    const fonts: string[] = [];
    const frameworks: string[] = [];
    page.on('request', (r) => {
      if (r.resourceType() === 'font' || /\.(woff2?|ttf|otf)(\?|$)/.test(r.url())) {
        fonts.push(r.url());
      }
      if (/(react|vue|angular|jquery|svelte|htmx|alpine)[.-]/i.test(r.url())) {
        frameworks.push(r.url());
      }
    });
    await page.goto(url, { waitUntil: 'load' });
    expect({ url, fonts, frameworks }).toEqual({ url, fonts: [], frameworks: [] });
    return await pageWeight(page);
  } finally {
    await fresh.close();
  }
}

/** The page as a browser without script sees it: returns its main text (the caller asserts what must be there). */
export async function withoutScript(
  browser: Browser,
  from: BrowserContext,
  url: string,
  lang: JourneyLang,
): Promise<{ page: Page; close: () => Promise<void> }> {
  const ctx = await browser.newContext({
    storageState: await from.storageState(),
    locale: lang,
    javaScriptEnabled: false,
    viewport: PHONE,
  });
  const page = await ctx.newPage();
  await page.goto(url);
  return { page, close: () => ctx.close() };
}

/** Keeps the measured page weights of a persona as an artefact (test/browser/artifacts/weights-<persona>.json). */
export function keepRecords(persona: string, records: PageRecord[]): void {
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, `weights-${persona}.json`), JSON.stringify(records, null, 1));
}

/**
 * Schedules a study day in the demo secretary's branch starting `minutes` from now, so its check-in window
 * (opening 30 minutes before the start) is open during the journey. Returns the occurrence id.
 */
export async function scheduleStudyDaySoon(t: TestApp, minutes: number): Promise<string> {
  const [branch] = await t.dataSource.query(
    `SELECT org_id FROM users WHERE username = 'secretary'`,
  );
  const { start, end } = sameDayTimes(
    DateTime.now().setZone('Asia/Shanghai').plus({ minutes }),
    120,
  );
  const made = await t.api('POST', `/api/v1/branches/${branch.org_id}/study-days`, {
    token: await t.token('secretary'),
    body: {
      topic: '学习贯彻基层治理工作要求',
      place: '社区党群服务中心一楼',
      startsAt: start.toUTC().toISO(),
      endsAt: end.toUTC().toISO(),
    },
  });
  if (made.status !== 201) {
    throw new Error(`scheduling the study day failed: ${made.status} ${made.text}`);
  }
  return made.json.occurrences[0].id as string;
}
