import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { DateTime } from 'luxon';
import { ContentImportService, ImportReport } from '../../src/content/content-import.service';
import { CONTENT_LIMITS, scanContentFolder } from '../../src/content/content-folder';
import { CourseCatalogueService } from '../../src/curriculum/course-catalogue.service';
import { LearningPagesService } from '../../src/learning/learning-pages.service';
import { ApiResponse, PageClient, startTestApp, TestApp } from '../helpers/test-app';
import { BOOT_TIMEOUT, count, FiveHundredGuard, sql } from './support';

/**
 * SECURITY-TESTS.md 11 (content import: links, names, images and limits), 12-13 (upload type confusion, file
 * names), 64-66, 68-69 (public certificate verification) and 106-108 (headers on every kind of answer, error
 * hygiene, CORS). Case 67 (one certificate under concurrent completion) is in test/certification.e2e-spec.ts.
 */
describe('Content import, uploads, certificate verification, headers and errors', () => {
  let t: TestApp;
  const guard = new FiveHundredGuard();
  let api: TestApp['api'];
  let admin: string;
  let trainer: string;
  let secretary: string;
  let cadre: string;
  const temp: string[] = [];
  const PASSWD = 'root:x:0:0';

  beforeAll(async () => {
    t = await startTestApp();
    api = guard.wrap(t);
    [admin, trainer, secretary, cadre] = await Promise.all([
      t.token('admin'),
      t.token('trainer'),
      t.token('secretary'),
      t.token('cadre'),
    ]);
  }, BOOT_TIMEOUT);

  afterAll(async () => {
    temp.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
    await t?.close();
    expect(guard.seen).toEqual([]);
  });

  /** No stack trace, SQL, file path or entity dump in a body the client sees. */
  function expectHygienic(text: string): void {
    expect(text).not.toMatch(/\bat [\w.<>]+ \(|\.ts:\d+|\.js:\d+|node_modules|\/work\/|\/src\//);
    expect(text).not.toMatch(
      /QueryFailedError|SQLITE_|sqlite3|duplicate key|violates|\bSELECT\b.+\bFROM\b|\bINSERT INTO\b|\bUPDATE\b.+\bSET\b/i,
    );
    expect(text).not.toMatch(/Entity\b|passwordHash|password_hash/);
  }

  // -------------------------------------------------------------------------------------------------------------
  describe('content import (case 11)', () => {
    const passwdExists = fs.existsSync('/etc/passwd');
    let outside: string;

    const course = (
      slug: string,
      lessons: Record<string, string> = {},
    ): Record<string, string> => ({
      [`courses/${slug}/course.md`]: [
        '---',
        `slug: ${slug}`,
        'title: 导入安全测试',
        'titleEn: Import safety',
        'summaryEn: A course for the import tests.',
        'trainingKind: special_topic',
        'hours: 1',
        'competencies: [communication]',
        'postTypes: [head, deputy, other]',
        'levels: [none]',
        'status: published',
        '---',
        '',
        '导入安全测试课程。',
        '',
      ].join('\n'),
      ...Object.fromEntries(
        Object.entries({ '01-first': '第一课正文。', ...lessons }).map(([key, body]) => [
          `courses/${slug}/${key}.md`,
          `---\ntitle: 第一课\ntitleEn: Lesson one\nminutes: 10\nkind: reading\n---\n\n${body}\n`,
        ]),
      ),
    });

    /** A content folder of its own: the policy files of content/ plus the given files. */
    const bundle = (files: Record<string, string>): string => {
      const dir = fs.mkdtempSync(join(tmpdir(), 'cadre-bundle-'));
      temp.push(dir);
      fs.cpSync(join(t.config.contentDir, 'policy'), join(dir, 'policy'), { recursive: true });
      for (const [path, text] of Object.entries(files)) {
        fs.mkdirSync(join(dir, path, '..'), { recursive: true });
        fs.writeFileSync(join(dir, path), text);
      }
      return dir;
    };

    const importer = (): ContentImportService => t.app.get(ContentImportService);
    const courses = (): Promise<number> => count(t, 'SELECT COUNT(*) AS n FROM courses');

    /** Runs an import while recording every file the process reads under `dir`. */
    async function importWatching(
      dir: string,
    ): Promise<{ report: ImportReport; read: string[]; ms: number }> {
      const spy = jest.spyOn(fs, 'readFileSync');
      const started = Date.now();
      try {
        const report = await importer().import(dir);
        const read = spy.mock.calls
          .map(([p]) => String(p))
          .filter((p) => p.startsWith(dir) || p.startsWith(outside));
        return { report, read, ms: Date.now() - started };
      } finally {
        spy.mockRestore();
      }
    }

    const bilingual = (message: string): void => {
      expect(message).toMatch(/[\u4e00-\u9fff]/);
      expect(message).toMatch(/ \/ [a-z].*[a-z]/);
    };

    beforeAll(() => {
      // Files outside every bundle that a link could point at: a valid lesson, course and bank.
      outside = fs.mkdtempSync(join(tmpdir(), 'cadre-outside-'));
      temp.push(outside);
      for (const [path, text] of Object.entries(course('outside-course'))) {
        fs.mkdirSync(join(outside, path, '..'), { recursive: true });
        fs.writeFileSync(join(outside, path), text);
      }
    });

    it('passes the real content folder, whose size is far under every limit', () => {
      expect(scanContentFolder(t.config.contentDir)).toEqual([]);
    });

    it('refuses symbolic links (to /etc/passwd, to a lesson, a course folder or a policy outside) and reads nothing through them', async () => {
      const before = await courses();
      const dir = bundle(course('link-test'));
      if (passwdExists) {
        fs.symlinkSync('/etc/passwd', join(dir, 'courses/link-test/02-passwd.md'));
      }
      fs.symlinkSync(
        join(outside, 'courses/outside-course/01-first.md'),
        join(dir, 'courses/link-test/03-stolen.md'),
      );
      fs.symlinkSync(join(outside, 'courses/outside-course'), join(dir, 'courses/outside-course'));
      fs.symlinkSync(join(outside, 'courses/outside-course/course.md'), join(dir, 'policy/x.yml'));
      const { report, read } = await importWatching(dir);
      expect(report.ok).toBe(false);
      const linked = report.problems.map((p) => p.file).sort();
      expect(linked).toEqual(
        [
          ...(passwdExists ? ['courses/link-test/02-passwd.md'] : []),
          'courses/link-test/03-stolen.md',
          'courses/outside-course',
          'policy/x.yml',
        ].sort(),
      );
      report.problems.forEach((p) => bilingual(p.message));
      expect(JSON.stringify(report)).not.toContain(PASSWD);
      // Refused before any importer opened a file: not the links, not even the valid course beside them.
      expect(read).toEqual([]);
      expect(await courses()).toBe(before);
      expect(
        await count(t, 'SELECT COUNT(*) AS n FROM courses WHERE slug IN (?, ?)', [
          'link-test',
          'outside-course',
        ]),
      ).toBe(0);
    });

    it('gives traversal-looking, Windows and absolute-looking names no power: refused or inert, nothing written anywhere', async () => {
      const marker = Date.now();
      const names = [
        'courses/name-test/..\\..\\..\\..\\tmp\\pwned.md',
        'courses/name-test/C:\\x.md',
        'courses/name-test/..\\..\\win.ini',
        'courses/..\\..\\pwned/course.md',
      ];
      const files = course('name-test');
      for (const name of names) {
        files[name] = files['courses/name-test/01-first.md'];
      }
      const dir = bundle(files);
      const { report } = await importWatching(dir);
      expect(report.ok).toBe(false);
      // Every odd name is reported by the file it is, never resolved into another path.
      const reported = report.problems.map((p) => p.file).join('\n');
      for (const name of ['..\\..\\..\\..\\tmp\\pwned.md', 'C:\\x.md', '..\\..\\pwned']) {
        expect(reported).toContain(name);
      }
      expect(
        await count(t, 'SELECT COUNT(*) AS n FROM courses WHERE slug = ?', ['name-test']),
      ).toBe(0);
      // Nothing was written outside the bundle: the importer writes database rows only.
      const written = [tmpdir(), join(dir, '..', '..')].flatMap((root) =>
        fs
          .readdirSync(root)
          .filter((f) => /pwned|win\.ini/i.test(f))
          .filter((f) => fs.lstatSync(join(root, f)).mtimeMs >= marker),
      );
      expect(written).toEqual([]);
    });

    it('never resolves images or links against the disk: ../../etc/passwd, file://, absolute and Windows paths', async () => {
      const markdown = [
        '![a](../../../../etc/passwd)',
        '![b](file:///etc/passwd)',
        '[c](file:///etc/passwd)',
        '![d](/etc/passwd)',
        '![e](C:\\Windows\\win.ini)',
        '![f](images/../../app.db)',
      ].join('\n\n');
      const dir = bundle(course('image-test', { '01-first': markdown }));
      const { report } = await importWatching(dir);
      expect(report).toEqual(expect.objectContaining({ ok: true, problems: [] }));
      const detail = await api('GET', '/api/v1/courses/image-test', { token: cadre });
      expect(detail.status).toBe(200);
      expect(
        (await api('POST', '/api/v1/courses/image-test/enrol', { token: cadre, body: {} })).status,
      ).toBe(201);
      const lessonId = detail.json.modules[0].lessons[0].id as string;
      const lesson = await api('GET', `/api/v1/lessons/${lessonId}`, { token: cadre });
      expect(lesson.status).toBe(200);
      const html = lesson.json.html as string;
      expect(html).not.toMatch(/file:/i);
      expect(html).not.toContain(PASSWD);
      // What is left are relative URLs of this site; the browser resolves them against the lesson page, and the
      // site answers none of them with a file from the disk.
      const srcs = [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
      expect(srcs.length).toBeGreaterThan(0);
      for (const src of srcs) {
        const url = new URL(src.replace(/&amp;/g, '&'), `${t.url}/lessons/${lessonId}`);
        expect(url.origin).toBe(t.url);
        const res = await api('GET', url.pathname + url.search, { token: cadre });
        expect([400, 404]).toContain(res.status);
        expect(res.text).not.toContain(PASSWD);
        expect(res.text).not.toContain('SQLite format');
      }
      for (const path of [
        '/static/../../../../etc/passwd',
        '/static/..%2f..%2f..%2f..%2fetc%2fpasswd',
        '/static/%2e%2e/%2e%2e/package.json',
        '/static/..%5c..%5cpackage.json',
        '/static//etc/passwd',
      ]) {
        const res = await api('GET', path);
        expect([400, 403, 404]).toContain(res.status);
        expect(res.text).not.toContain(PASSWD);
        expect(res.text).not.toContain('"cadre-academy"');
      }
      expect(
        await count(t, 'SELECT COUNT(*) AS n FROM lessons WHERE html LIKE ? OR markdown LIKE ?', [
          `%${PASSWD}%`,
          `%${PASSWD}%`,
        ]),
      ).toBe(0);
    });

    it(`refuses more than ${CONTENT_LIMITS.entries} files (10 000 here) before reading any of them`, async () => {
      const dir = bundle(course('many-files'));
      const folder = join(dir, 'courses/many-files');
      for (let i = 0; i < 10_000; i++) {
        fs.writeFileSync(join(folder, `x${i}.txt`), 'x');
      }
      const before = await courses();
      const { report, read, ms } = await importWatching(dir);
      expect(report.ok).toBe(false);
      expect(report.problems).toHaveLength(1);
      expect(report.problems[0].message).toContain(String(CONTENT_LIMITS.entries));
      bilingual(report.problems[0].message);
      expect(read).toEqual([]);
      expect(ms).toBeLessThan(10_000);
      expect(await courses()).toBe(before);
    }, 60_000);

    it('refuses a 1 GB file (a zip bomb’s payload stand-in, sparse on disk) and 55 MB in all, by size alone', async () => {
      const big = bundle(course('big-file'));
      const bomb = join(big, 'courses/big-file/02-bomb.md');
      fs.closeSync(fs.openSync(bomb, 'w'));
      fs.truncateSync(bomb, 1024 ** 3);
      const one = await importWatching(big);
      expect(one.report.ok).toBe(false);
      expect(one.report.problems).toEqual([
        expect.objectContaining({ file: 'courses/big-file/02-bomb.md' }),
      ]);
      bilingual(one.report.problems[0].message);
      expect(one.read).toEqual([]);
      expect(one.ms).toBeLessThan(5_000);

      const many = bundle(course('big-total'));
      for (let i = 0; i < 11; i++) {
        const file = join(many, `courses/big-total/${String(10 + i)}-part.md`);
        fs.closeSync(fs.openSync(file, 'w'));
        fs.truncateSync(file, 5 * 1024 * 1024);
      }
      const total = await importWatching(many);
      expect(total.report.ok).toBe(false);
      expect(total.report.problems).toHaveLength(1);
      expect(total.report.problems[0].message).toContain('50 MB');
      bilingual(total.report.problems[0].message);
      expect(total.read).toEqual([]);
    });

    it('refuses a FIFO instead of blocking on it', async () => {
      const dir = bundle(course('fifo-test'));
      const fifo = join(dir, 'courses/fifo-test/02-pipe.md');
      try {
        execFileSync('mkfifo', [fifo]);
      } catch {
        return; // no mkfifo on this system: nothing to prove
      }
      const { report, ms } = await importWatching(dir);
      expect(report.ok).toBe(false);
      expect(report.problems).toEqual([
        expect.objectContaining({ file: 'courses/fifo-test/02-pipe.md' }),
      ]);
      bilingual(report.problems[0].message);
      expect(ms).toBeLessThan(5_000);
    });

    it('still imports a clean bundle after all the refusals', async () => {
      const dir = bundle(course('clean-bundle'));
      const { report, read } = await importWatching(dir);
      expect(report.ok).toBe(true);
      // The watch does see the importers' reads (so the empty lists above mean something).
      expect(read).toEqual(expect.arrayContaining([join(dir, 'courses/clean-bundle/course.md')]));
      expect(
        await count(t, 'SELECT COUNT(*) AS n FROM courses WHERE slug = ?', ['clean-bundle']),
      ).toBe(1);
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('uploads (cases 12, 13)', () => {
    const PNG = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
      'base64',
    );
    const ODD_NAMES = [
      '../../x',
      'CON',
      'a\u202Egpj.exe',
      `${'长'.repeat(296)}.png`,
      '名单.xlsx',
      '"><img src=x onerror=alert(1)>.png',
    ];
    const days: string[] = [];

    const upload = async (
      path: string,
      bytes: Buffer,
      name: string,
      type: string,
      auth: Record<string, string> = { authorization: `Bearer ${secretary}` },
    ): Promise<ApiResponse> => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(bytes)], { type }), name);
      const res = await fetch(t.url + path, {
        method: 'POST',
        headers: auth,
        body: form,
        redirect: 'manual',
      });
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      const answer = { status: res.status, headers: res.headers, text, json };
      guard.note('POST', path, answer);
      return answer;
    };

    /** No form of a name in a text: as sent, HTML-escaped, percent-encoded, or its distinctive part alone. */
    const expectNoName = (text: string, name: string): void => {
      for (const form of [name, encodeURIComponent(name), name.replace(/</g, '&lt;')]) {
        expect(text).not.toContain(form);
      }
      for (const part of ['gpj.exe', '名单', '长长长长', 'onerror', '../../x']) {
        if (name.includes(part)) {
          expect(text).not.toContain(part);
        }
      }
    };

    beforeAll(async () => {
      const me = await api('GET', '/api/v1/me', { token: cadre });
      const branch = me.json.branch.id as string;
      const start = DateTime.now()
        .setZone('Asia/Shanghai')
        .plus({ days: 9 })
        .set({ hour: 9, minute: 0, second: 0, millisecond: 0 });
      for (const offset of [0, 1, 2]) {
        const made = await api('POST', `/api/v1/branches/${branch}/study-days`, {
          token: secretary,
          body: {
            topic: `上传测试 ${offset}`,
            startsAt: start.plus({ days: offset }).toISO(),
            endsAt: start.plus({ days: offset, hours: 1 }).toISO(),
            place: '会议室',
          },
        });
        expect(made.status).toBe(201);
        days.push(made.json.occurrences[0].id as string);
      }
    });

    it('keeps odd file names out of storage and answers: server-made ids, exact bytes, image type, nosniff', async () => {
      for (const name of ODD_NAMES) {
        const res = await upload(`/api/v1/study-days/${days[0]}/photos`, PNG, name, 'image/png');
        expect(res.status).toBe(201);
        expect(res.json.id).toMatch(/^[0-9a-f-]{36}$/);
        expect(res.json.url).toBe(`/api/v1/study-days/${days[0]}/photos/${res.json.id}`);
        expectNoName(res.text, name);
        const [row] = await sql<Record<string, unknown>>(
          t,
          'SELECT * FROM study_day_photos WHERE id = ?',
          [res.json.id],
        );
        expect(row).toBeDefined();
        expectNoName(JSON.stringify({ ...row, data: undefined }), name);
        const got = await fetch(t.url + res.json.url, {
          headers: { authorization: `Bearer ${secretary}` },
        });
        expect(got.status).toBe(200);
        expect(got.headers.get('content-type')).toBe('image/png');
        expect(got.headers.get('x-content-type-options')).toBe('nosniff');
        expect(got.headers.get('content-security-policy')).toContain("default-src 'self'");
        expect(Buffer.from(await got.arrayBuffer()).equals(PNG)).toBe(true);
      }
      const list = await api('GET', `/api/v1/study-days/${days[0]}/photos`, { token: cadre });
      expect(list.json.items).toHaveLength(ODD_NAMES.length);
      ODD_NAMES.forEach((name) => expectNoName(list.text, name));
    });

    it('shows photos uploaded through the page form under server-made names only', async () => {
      const page = guard.pages(t);
      expect((await page.signIn('secretary')).status).toBe(303);
      const detail = await page.get(`/study-days/${days[1]}`);
      expect(detail.status).toBe(200);
      for (const name of ODD_NAMES.slice(0, 3)) {
        const res = await upload(
          formAction(detail.text, `/study-days/${days[1]}/photos`),
          PNG,
          name,
          'image/png',
          { cookie: pageCookie(page) },
        );
        expect(res.status).toBe(303);
      }
      const after = await page.get(`/study-days/${days[1]}`);
      expect(after.status).toBe(200);
      ODD_NAMES.slice(0, 3).forEach((name) => expectNoName(after.text, name));
      expect(
        await count(t, 'SELECT COUNT(*) AS n FROM study_day_photos WHERE study_day_id = ?', [
          days[1],
        ]),
      ).toBe(3);
    });

    it('refuses HTML as PNG, SVG with script, HTML, a GIF/JS polyglot, a RIFF that is not WebP and an .exe sent as PNG', async () => {
      const before = await count(t, 'SELECT COUNT(*) AS n FROM study_day_photos');
      const cases: Array<[string, Buffer, string]> = [
        ['x.png', Buffer.from('<html><script>alert(1)</script></html>'), 'image/png'],
        [
          'evil.svg',
          Buffer.from(
            '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>',
          ),
          'image/svg+xml',
        ],
        ['x.html', Buffer.from('<!doctype html><script>alert(1)</script>'), 'text/html'],
        ['a.md.html', Buffer.from('# x\n<script>alert(1)</script>'), 'text/html'],
        [
          'polyglot.gif',
          Buffer.concat([Buffer.from('GIF89a/*'), Buffer.alloc(16), Buffer.from('*/=alert(1)//')]),
          'image/gif',
        ],
        [
          'x.webp',
          Buffer.concat([
            Buffer.from('RIFF'),
            Buffer.alloc(4),
            Buffer.from('WAVEfmt '),
            Buffer.alloc(32),
          ]),
          'image/webp',
        ],
        ['x.exe', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(128)]), 'image/png'],
      ];
      for (const [name, bytes, type] of cases) {
        const res = await upload(`/api/v1/study-days/${days[2]}/photos`, bytes, name, type);
        expect({ name, status: res.status }).toEqual({ name, status: 415 });
        expectHygienic(res.text);
        expect(res.text).not.toContain('<script');
      }
      // Raw bodies with a type no parser accepts are refused the same way, never a 500.
      for (const type of ['image/svg+xml', 'text/html']) {
        const raw = await api('POST', `/api/v1/study-days/${days[2]}/photos`, {
          token: secretary,
          raw: '<svg onload=alert(1)>',
          headers: { 'content-type': type },
        });
        expect(raw.status).toBe(415);
      }
      expect(await count(t, 'SELECT COUNT(*) AS n FROM study_day_photos')).toBe(before);
    });

    it('ignores upload names in the question-bank and people imports, on the API and the page', async () => {
      const gift = '::q1:: 1 + 1 = ? {=2 ~3}\n';
      const bank = await upload(
        '/api/v1/question-banks/import?format=gift&bankName=upload-names',
        Buffer.from(gift),
        '../../<img src=x onerror=alert(1)>.gift',
        'text/plain',
        { authorization: `Bearer ${trainer}` },
      );
      expect(bank.status).toBe(201);
      expect(bank.text).not.toContain('onerror');
      const [row] = await sql<{ name: string }>(t, 'SELECT name FROM question_banks WHERE id = ?', [
        bank.json.bankId,
      ]);
      expect(row.name).toBe('upload-names');

      const page = guard.pages(t);
      await page.signIn('trainer');
      const banks = await page.get('/author/banks');
      const form = new FormData();
      form.append('format', 'gift');
      form.append('bankName', 'upload-names-page');
      form.append(
        'file',
        new Blob([gift], { type: 'text/plain' }),
        '"><script>alert(1)</script>.gift',
      );
      const res = await fetch(t.url + formAction(banks.text, '/author/banks/import'), {
        method: 'POST',
        headers: { cookie: pageCookie(page) },
        body: form,
      });
      const html = await res.text();
      guard.note('POST', '/author/banks/import', {
        status: res.status,
        headers: res.headers,
        text: html,
        json: undefined,
      });
      expect(res.status).toBe(200);
      expect(html).not.toContain('<script>alert');

      // A spreadsheet named 名单.xlsx is refused by its content (people import takes CSV text), not its name.
      const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(64)]);
      const people = await upload(
        '/api/v1/users/import',
        zip,
        '名单.xlsx',
        'application/vnd.ms-excel',
      );
      expect(people.status).toBe(415);
      expect(people.text).not.toContain('名单');
    });

    it('names every download with an ASCII filename and an RFC 5987 filename* (bank, PDF, ZIP, CSV, XLSX, iCalendar)', async () => {
      const me = await api('GET', '/api/v1/me/certificates', { token: cadre });
      const certId = me.json.items[0].id as string;
      const [city] = await sql<{ id: string }>(
        t,
        "SELECT id FROM org_nodes WHERE kind = 'city' ORDER BY created_at LIMIT 1",
      );
      const banks = await api('GET', '/api/v1/question-banks', { token: trainer });
      const bankId = banks.json.items[0].id as string;
      const year = new Date().getFullYear();
      const downloads: Array<[string, string, RegExp]> = [
        [`/api/v1/question-banks/${bankId}/export?format=gift`, trainer, /^attachment;/],
        [`/api/v1/question-banks/${bankId}/export?format=markdown`, trainer, /^attachment;/],
        [`/api/v1/certificates/${certId}/pdf`, cadre, /^inline;/],
        [
          `/api/v1/certificates/export.zip?org=${city.id}&from=${year - 1}-01-01&to=${year + 1}-12-31`,
          admin,
          /^attachment;/,
        ],
        [`/api/v1/reports/hours?org=${city.id}&format=csv`, admin, /^attachment;/],
        [`/api/v1/reports/hours?org=${city.id}&format=xlsx`, admin, /^attachment;/],
        ['/api/v1/me/calendar.ics', cadre, /^inline;/],
      ];
      for (const [path, token, kind] of downloads) {
        const res = await fetch(t.url + path, { headers: { authorization: `Bearer ${token}` } });
        await res.arrayBuffer();
        guard.note('GET', path, {
          status: res.status,
          headers: res.headers,
          text: '',
          json: undefined,
        });
        expect({ path, status: res.status }).toEqual({ path, status: 200 });
        const value = res.headers.get('content-disposition') ?? '';
        expect(value).toMatch(kind);
        const match =
          /; filename="([\x20-\x7e]+)"; filename\*=UTF-8''([A-Za-z0-9!#$&+.^_`|~%-]+)$/.exec(value);
        expect({ path, value, parsed: !!match }).toEqual({ path, value, parsed: true });
        const [, ascii, star] = match as RegExpExecArray;
        expect(ascii).not.toMatch(/[\\/"]/);
        expect(decodeURIComponent(star)).toBe(ascii);
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      }
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('public certificate verification (cases 64-66, 68, 69)', () => {
    let cert: { id: string; verifyCode: string; serial: string; title: string };
    let cadreId: string;
    let cadreName: string;

    beforeAll(async () => {
      const me = await api('GET', '/api/v1/me', { token: cadre });
      cadreId = me.json.id;
      cadreName = me.json.displayName;
      await sql(t, 'UPDATE users SET phone = ? WHERE id = ?', ['13800138000', cadreId]);
      const mine = await api('GET', '/api/v1/me/certificates', { token: cadre });
      cert = mine.json.items.find((c: { status: string }) => c.status === 'valid');
      expect(cert).toBeDefined();
    });

    const verifyPage = (code: string, query = ''): Promise<ApiResponse> =>
      api('GET', `/verify/${code}${query}`, { headers: { accept: 'text/html' } });

    it('shows only the documented facts, masks the holder, and is neither indexed nor kept by shared caches', async () => {
      const json = await api('GET', `/api/v1/verify/${cert.verifyCode}`);
      expect(json.status).toBe(200);
      expect(Object.keys(json.json).sort()).toEqual(
        [
          'status',
          'holder',
          'serial',
          'title',
          'titleEn',
          'level',
          'levelRelation',
          'hours',
          'trainingKind',
          'issuedAt',
          'issuer',
          'pdfSha256',
          'revokedAt',
          'supersededBy',
        ].sort(),
      );
      expect(json.json.holder).not.toBe(cadreName);
      expect(json.json.holder).toContain('*');
      const page = await verifyPage(cert.verifyCode);
      expect(page.status).toBe(200);
      expect(page.text).toContain(json.json.holder);
      for (const res of [json, page]) {
        for (const secret of [
          cadreName,
          cadreId,
          cert.id,
          '13800138000',
          'cadre',
          'userId',
          'score',
        ]) {
          expect({ secret, found: res.text.includes(secret) }).toEqual({ secret, found: false });
        }
        expect(res.headers.get('cache-control')).toMatch(/no-store|private/);
        expect(res.headers.get('x-robots-tag') ?? '').toContain('noindex');
      }
    });

    it('takes name, course and score from the database only; a learner cannot issue or re-issue', async () => {
      const [stored] = await sql<{ pdf_sha256: string }>(
        t,
        'SELECT pdf_sha256 FROM certificates WHERE id = ?',
        [cert.id],
      );
      const forged = await fetch(
        `${t.url}/api/v1/certificates/${cert.id}/pdf?name=${encodeURIComponent('王伪造')}&course=x&score=100&title=x`,
        { headers: { authorization: `Bearer ${cadre}` } },
      );
      const bytes = Buffer.from(await forged.arrayBuffer());
      guard.note('GET', 'pdf?name=', {
        status: forged.status,
        headers: forged.headers,
        text: '',
        json: undefined,
      });
      expect([200, 400]).toContain(forged.status);
      if (forged.status === 200) {
        expect(createHash('sha256').update(bytes).digest('hex')).toBe(stored.pdf_sha256);
      }
      const certificates = await count(t, 'SELECT COUNT(*) AS n FROM certificates');
      const attempts = [
        await api('POST', '/api/v1/certificates', {
          token: cadre,
          body: { userId: cadreId, title: '伪造证书', hours: 99 },
        }),
        await api('POST', `/api/v1/certificates/${cert.id}/reissue`, {
          token: cadre,
          body: { reason: '我想要一张新的' },
        }),
        await api('POST', `/api/v1/users/${cadreId}/certificates`, {
          token: cadre,
          body: { ruleKey: 'initial-training' },
        }),
      ];
      for (const res of attempts) {
        expect([403, 404]).toContain(res.status);
        expectHygienic(res.text);
      }
      expect(await count(t, 'SELECT COUNT(*) AS n FROM certificates')).toBe(certificates);
      const verify = await api(
        'GET',
        `/api/v1/verify/${cert.verifyCode}?holder=x&status=revoked&title=x`,
      );
      expect([200, 400]).toContain(verify.status);
      if (verify.status === 200) {
        expect(verify.json).toEqual(
          expect.objectContaining({ status: 'valid', title: cert.title, serial: cert.serial }),
        );
      }
    });

    it('points the PDF’s QR link at the canonical verification URL of this certificate', async () => {
      const res = await fetch(`${t.url}/api/v1/certificates/${cert.id}/pdf`, {
        headers: { authorization: `Bearer ${cadre}` },
      });
      const pdf = Buffer.from(await res.arrayBuffer()).toString('latin1');
      expect(pdf).toContain(`${t.config.publicUrl}/verify/${cert.verifyCode}`);
    });

    it('says revoked at once after a revocation, keeps the reason private, and refuses the PDF', async () => {
      const [other] = await sql<{ id: string; verify_code: string; username: string }>(
        t,
        `SELECT c.id, c.verify_code, u.username FROM certificates c JOIN users u ON u.id = c.user_id
         WHERE c.status = 'valid' AND c.user_id <> ? ORDER BY c.issued_at LIMIT 1`,
        [cadreId],
      );
      const owner = await t.token(other.username);
      const before = await verifyPage(other.verify_code);
      expect(before.status).toBe(200);
      expect(before.text).toContain('该证书真实有效');
      expect(
        (await api('GET', `/api/v1/certificates/${other.id}/pdf`, { token: owner })).status,
      ).toBe(200);
      const reason = '核查发现培训记录造假-内部备注';
      const revoked = await api('POST', `/api/v1/certificates/${other.id}/revoke`, {
        token: admin,
        body: { reason },
      });
      expect(revoked.status).toBe(201);
      const page = await verifyPage(other.verify_code);
      const json = await api('GET', `/api/v1/verify/${other.verify_code}`);
      expect(json.json.status).toBe('revoked');
      expect(json.json.revokedAt).toEqual(expect.any(String));
      expect(page.text).not.toContain('该证书真实有效');
      for (const res of [page, json]) {
        expect(res.text).not.toContain(reason);
        expect(res.headers.get('cache-control')).toMatch(/no-store/);
      }
      const [row] = await sql<{ status: string }>(
        t,
        'SELECT status FROM certificates WHERE id = ?',
        [other.id],
      );
      expect(row.status).toBe('revoked');
      // A revoked certificate cannot be downloaded again as if it were valid, by the holder or in scope.
      for (const token of [owner, admin]) {
        const pdf = await api('GET', `/api/v1/certificates/${other.id}/pdf`, { token });
        expect(pdf.status).toBe(409);
        expect(pdf.json.error).toBe('CERTIFICATE_NOT_VALID');
      }
    });

    it('neither redirects off-site nor reflects markup: ?return=, ?next= and codes holding HTML', async () => {
      const page = await verifyPage(
        cert.verifyCode,
        '?return=https://evil.example&next=//evil.example&redirect=javascript:alert(1)',
      );
      expect(page.status).toBe(200);
      expect(page.headers.get('location')).toBeNull();
      expect(page.text).not.toMatch(/evil\.example|javascript:alert/);
      for (const code of [
        '<script>alert(1)</script>',
        '"><svg onload=alert(1)>',
        "'-alert(1)-'",
        'javascript:alert(1)',
      ]) {
        const res = await verifyPage(encodeURIComponent(code));
        expect(res.status).toBe(404);
        expect(res.headers.get('location')).toBeNull();
        expect(res.text).not.toContain('<script>alert');
        expect(res.text).not.toMatch(/<svg[^>]*onload/i);
        expect(res.text).not.toMatch(/href="javascript:/i);
        expectHygienic(res.text);
        const json = await api('GET', `/api/v1/verify/${encodeURIComponent(code)}`);
        expect(json.status).toBe(404);
        expect(json.text).not.toContain('<script');
        expect(json.text).not.toContain('onload');
      }
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('headers, errors and CORS (cases 106-108)', () => {
    const expectSecurityHeaders = (what: string, headers: Headers): void => {
      const csp = headers.get('content-security-policy') ?? '';
      expect({ what, frameAncestors: csp.includes("frame-ancestors 'none'") }).toEqual({
        what,
        frameAncestors: true,
      });
      expect({ what, script: /script-src 'self'(;|$)/.test(csp) }).toEqual({ what, script: true });
      expect({ what, inline: csp.includes('unsafe-inline') }).toEqual({ what, inline: false });
      expect({ what, nosniff: headers.get('x-content-type-options') }).toEqual({
        what,
        nosniff: 'nosniff',
      });
      expect({ what, referrer: headers.get('referrer-policy') }).toEqual({
        what,
        referrer: 'same-origin',
      });
      expect({ what, poweredBy: headers.get('x-powered-by') }).toEqual({ what, poweredBy: null });
      expect({ what, cors: headers.get('access-control-allow-origin') }).toEqual({
        what,
        cors: null,
      });
    };

    it('sends them on redirects, 401/404 JSON, malformed JSON, 413, HEAD, static misses and the verify page', async () => {
      const answers: Array<[string, ApiResponse | Response, number[]]> = [
        [
          'page redirect to sign-in',
          await api('GET', '/', { headers: { accept: 'text/html' } }),
          [302, 303],
        ],
        ['API 401', await api('GET', '/api/v1/me'), [401]],
        ['API 404', await api('GET', '/api/v1/nope', { token: cadre }), [404]],
        ['page 404', await api('GET', '/nope/deeper', { headers: { accept: 'text/html' } }), [404]],
        [
          'malformed JSON',
          await api('POST', '/api/v1/auth/login', {
            raw: '{"username":',
            headers: { 'content-type': 'application/json' },
          }),
          [400],
        ],
        [
          'body too large',
          await api('POST', '/api/v1/markdown/preview', {
            token: trainer,
            raw: `{"markdown":"${'x'.repeat(3 * 1024 * 1024)}"}`,
            headers: { 'content-type': 'application/json' },
          }),
          [413],
        ],
        ['HEAD of a page', await fetch(`${t.url}/login`, { method: 'HEAD' }), [200]],
        ['static miss', await api('GET', '/static/css/nope.css'), [404]],
        ['static file', await api('GET', '/static/css/app.css'), [200]],
        ['health', await api('GET', '/healthz'), [200]],
        [
          'verify miss',
          await api('GET', '/verify/AAAAAAAAAAAAAAAAAAAAAAAAAA', {
            headers: { accept: 'text/html' },
          }),
          [404],
        ],
      ];
      const page = guard.pages(t);
      const form = await page.get('/login');
      const signedIn = await page.post('/login', {
        username: 'user020',
        password: 'demo1234',
        _csrf: PageClient.csrf(form.text),
      });
      answers.push(['sign-in redirect', signedIn, [302, 303]]);
      for (const [what, res, statuses] of answers) {
        expect({ what, status: statuses.includes(res.status) }).toEqual({ what, status: true });
        expectSecurityHeaders(what, res.headers);
      }
    });

    it('answers a thrown error with a generic message and a request id: no stack, SQL, path or entity, API and page alike', async () => {
      const catalogue = t.app.get(CourseCatalogueService);
      const failure = new Error(
        'SQLITE_ERROR: no such column: password_hash in SELECT * FROM users WHERE id = 1',
      );
      failure.stack = `${failure.message}\n    at CourseCatalogueService.catalogue (/work/main/src/curriculum/course-catalogue.service.ts:10:5)`;
      const spy = jest.spyOn(catalogue, 'catalogue').mockRejectedValue(failure);
      const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      try {
        // Raw fetch: this 500 is the point of the test, not a bug for the suite guard to report.
        const json = await fetch(`${t.url}/api/v1/courses`, {
          headers: { authorization: `Bearer ${cadre}` },
        });
        const body = await json.text();
        expect(json.status).toBe(500);
        expectHygienic(body);
        const parsed = JSON.parse(body) as { error: string; message: string };
        expect(parsed.error).toBe('INTERNAL');
        // The message quotes the request id that the server log line carries, with the details kept there.
        const id = /(req-[\w-]+)/.exec(parsed.message)?.[1] as string;
        expect(id).toBeDefined();
        expect(logged.mock.calls.map((c) => c.join(' ')).join('\n')).toMatch(
          new RegExp(`\\[${id}\\][\\s\\S]*password_hash`),
        );
        expectSecurityHeaders('500 JSON', json.headers);
        const pageSpy = jest
          .spyOn(t.app.get(LearningPagesService), 'catalogue')
          .mockRejectedValue(failure);
        const html = await fetch(`${t.url}/courses`, {
          headers: { authorization: `Bearer ${cadre}`, accept: 'text/html' },
        });
        const text = await html.text();
        expect(html.status).toBe(500);
        expectHygienic(text);
        expectSecurityHeaders('500 page', html.headers);
        pageSpy.mockRestore();
      } finally {
        spy.mockRestore();
        logged.mockRestore();
      }
      expect((await api('GET', '/api/v1/courses', { token: cadre })).status).toBe(200);
    });

    it('answers a constraint violation, an unknown route and bad input without internals', async () => {
      const body = {
        slug: 'hygiene-dup',
        title: '重复',
        titleEn: 'Dup',
        trainingKind: 'special_topic',
        hours: 1,
        summary: 's',
        competencies: [],
        modules: [],
      };
      expect((await api('POST', '/api/v1/courses', { token: trainer, body })).status).toBe(201);
      const dup = await api('POST', '/api/v1/courses', { token: trainer, body });
      expect(dup.status).toBe(409);
      const me = await api('GET', '/api/v1/me', { token: admin });
      const user = {
        username: 'hygiene_dup',
        displayName: 'x',
        password: 'Quiet-River-2026',
        orgId: me.json.roles[0].orgId,
      };
      expect((await api('POST', '/api/v1/users', { token: admin, body: user })).status).toBe(201);
      const dupUser = await api('POST', '/api/v1/users', { token: admin, body: user });
      expect(dupUser.status).toBe(409);
      const answers = [
        dup,
        dupUser,
        // A NUL byte in a path id reaches the database before any DTO (PostgreSQL refuses it outright).
        ...(await Promise.all(
          [
            '/api/v1/users/%00%27%22',
            '/api/v1/lessons/a%00b',
            '/api/v1/courses/a%00b',
            '/api/v1/quizzes/a%00b',
            '/api/v1/attempts/a%00b',
            '/api/v1/certificates/a%00b/pdf',
            '/api/v1/study-days/a%00b',
            '/api/v1/verify/a%00b',
          ].map((path) => api('GET', path, { token: admin })),
        )),
        await api('GET', '/api/v1/courses/..%2F..%2Fetc%2Fpasswd', { token: cadre }),
        await api('DELETE', '/api/v1/me', { token: cadre }),
        await api('POST', '/api/v1/auth/login', {
          raw: '[[[[',
          headers: { 'content-type': 'application/json' },
        }),
        await api('GET', '/lessons/not-a-lesson', {
          token: cadre,
          headers: { accept: 'text/html' },
        }),
      ];
      for (const res of answers) {
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expectHygienic(res.text);
        if (res.json) {
          expect(Object.keys(res.json).sort()).toEqual(
            expect.arrayContaining(['error', 'message', 'statusCode']),
          );
        }
      }
    });

    it('gives a foreign origin no CORS grant: preflight, credentialed GET, POST and the null origin', async () => {
      for (const origin of ['https://evil.example', 'null', `${t.url}.evil.example`]) {
        const preflight = await fetch(`${t.url}/api/v1/auth/login`, {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'content-type,authorization',
          },
        });
        await preflight.text();
        expect(preflight.status).toBeLessThan(500);
        const get = await api('GET', '/api/v1/me', { token: cadre, headers: { origin } });
        const post = await api('POST', '/api/v1/auth/login', {
          body: { username: 'nobody', password: 'wrong-password' },
          headers: { origin },
        });
        const page = await api('GET', '/login', { headers: { origin, accept: 'text/html' } });
        for (const res of [preflight, get, post, page]) {
          expect(res.headers.get('access-control-allow-origin')).toBeNull();
          expect(res.headers.get('access-control-allow-credentials')).toBeNull();
        }
      }
    });
  });
});

/** The cookie header a PageClient would send (its jar is private; multipart posts are made with fetch). */
function pageCookie(page: PageClient): string {
  const jar = (page as unknown as { cookies: Map<string, string> }).cookies;
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
}

/** The `action` of the page's form posting to `path` (with its `?_csrf=` token), entities decoded. */
function formAction(html: string, path: string): string {
  const match = new RegExp(`action="(${path.replace(/[/.?]/g, '\\$&')}[^"]*)"`).exec(html);
  if (!match) {
    throw new Error(`no form posting to ${path}`);
  }
  return match[1].replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
}
