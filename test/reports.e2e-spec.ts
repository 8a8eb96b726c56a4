import ExcelJS from 'exceljs';
import { PageClient, startTestApp, TestApp } from './helpers/test-app';

interface Month {
  month: string;
  due: boolean;
  held: boolean;
  status: string;
  obligations: Array<{ type: string; met: boolean; due: boolean }>;
  attendanceRate: number | null;
  commitmentRate: number | null;
  evidence: Record<string, boolean>;
}
interface Branch {
  id: string;
  name: string;
  path: string;
  months: Month[];
}

const INJECTION = '=HYPERLINK("http://x","y")';

/** Raw bytes of a download (fetch's text() would drop the BOM). */
async function download(
  t: TestApp,
  path: string,
  token: string,
): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
  const res = await fetch(t.url + path, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

describe('Reports: regularity, learning, exports and scope', () => {
  let t: TestApp;
  let admin: string;
  let secretary: string;
  let city: { id: string; branches: Branch[]; year: number };
  let homeBranch: Branch;
  let otherBranch: Branch;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.token('admin');
    secretary = await t.token('secretary');
    const res = await t.api('GET', '/api/v1/reports/regularity', { token: admin });
    expect(res.status).toBe(200);
    city = { id: res.json.org.id, branches: res.json.branches, year: res.json.year };
    const mine = await t.api('GET', '/api/v1/reports/regularity', { token: secretary });
    expect(mine.status).toBe(200);
    homeBranch = mine.json.branches[0];
    otherBranch = city.branches.find((b) => b.id !== homeBranch.id) as Branch;
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('shows held and missed months of the demo history in the city grid, with a roll-up', async () => {
    expect(city.branches).toHaveLength(12);
    for (const b of city.branches) {
      expect(b.months.map((m) => m.month)).toEqual(
        Array.from({ length: 12 }, (_, i) => `${city.year}-${String(i + 1).padStart(2, '0')}`),
      );
    }
    const due = city.branches.flatMap((b) => b.months.filter((m) => m.due));
    expect(due.length).toBeGreaterThan(12);
    const held = due.filter((m) => m.held);
    const missed = due.filter((m) => !m.held);
    // Most branch-months were held; the demo's irregular branches missed some.
    expect(held.length).toBeGreaterThan(missed.length * 3);
    expect(missed.length).toBeGreaterThan(0);
    expect(missed.every((m) => m.status === 'red')).toBe(true);
    expect(held.some((m) => m.status === 'green')).toBe(true);
    const regular = city.branches.filter((b) => b.months.every((m) => !m.due || m.held));
    const irregular = city.branches.filter((b) => b.months.some((m) => m.due && !m.held));
    expect(regular.length).toBeGreaterThan(0);
    expect(irregular.length).toBeGreaterThan(0);
    const cell = held[0];
    expect(cell.obligations.map((o) => o.type)).toEqual(
      expect.arrayContaining(['study_day', 'committee', 'group_meeting']),
    );
    expect(cell.obligations.find((o) => o.type === 'study_day')?.met).toBe(true);
    expect(cell.attendanceRate).toBeGreaterThan(0.5);
    expect(cell.evidence.minutes).toBe(true);

    const res = await t.api('GET', `/api/v1/reports/regularity?org=${city.id}&year=${city.year}`, {
      token: admin,
    });
    const rollup: Array<{
      id: string;
      kind: string;
      branches: number;
      summary: { due: number; held: number };
    }> = res.json.rollup;
    expect(rollup.find((n) => n.id === city.id)?.branches).toBe(12);
    expect(rollup.filter((n) => n.kind === 'street')).toHaveLength(4);
    expect(rollup.filter((n) => n.kind === 'community')).toHaveLength(8);
    const top = rollup.find((n) => n.id === city.id);
    expect(top?.summary.held).toBe(held.length);
  });

  it('answers reports asked for together and one after another each whole (concurrent ones share one serialisation)', async () => {
    const cityUrl = `/api/v1/reports/regularity?org=${city.id}&year=${city.year}`;
    const first = {
      city: (await t.api('GET', cityUrl, { token: admin })).text,
      branch: (await t.api('GET', '/api/v1/reports/regularity', { token: secretary })).text,
    };
    expect(first.city).not.toBe(first.branch);
    for (let round = 0; round < 3; round++) {
      const answers = await Promise.all([
        ...Array.from({ length: 4 }, () => t.api('GET', cityUrl, { token: admin })),
        ...Array.from({ length: 4 }, () =>
          t.api('GET', '/api/v1/reports/regularity', { token: secretary }),
        ),
      ]);
      expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
      // Whole and the report asked for, whichever shared its serialised JSON with which.
      expect(answers.slice(0, 4).map((a) => a.text)).toEqual(Array(4).fill(first.city));
      expect(answers.slice(4).map((a) => a.text)).toEqual(Array(4).fill(first.branch));
    }
  });

  it('renders the regularity page with an accessible heat map, a data table and downloads', async () => {
    const page = new PageClient(t.url);
    await page.signIn('admin');
    const res = await page.get(`/reports?org=${city.id}&year=${city.year}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('role="img"');
    expect(res.text).toMatch(/<title id="regularity-map-title">/);
    expect(res.text).toContain('<desc id="regularity-map-desc">');
    expect(res.text).toContain('class="table-wrap reports-wrap"');
    expect(res.text).toMatch(/href="\/api\/v1\/reports\/regularity\?[^"]*format(=|&#x3D;)csv"/);
    // Month-by-month trend lines beside a table whose figures are the city roll-up's, month by month.
    expect(res.text).toContain('<title id="regularity-held-trend-title">');
    expect(res.text).toContain('<title id="regularity-attendance-trend-title">');
    const api = await t.api('GET', `/api/v1/reports/regularity?org=${city.id}&year=${city.year}`, {
      token: await t.token('admin'),
    });
    const top = (
      api.json.rollup as Array<{ id: string; months: Array<{ due: number; held: number }> }>
    ).find((n) => n.id === city.id);
    const dueMonths = (top?.months ?? []).filter((m) => m.due > 0);
    expect(dueMonths.length).toBeGreaterThan(0);
    for (const m of dueMonths) {
      const share = `${Math.round((m.held / m.due) * 1000) / 10}%`.replace('.', '\\.');
      expect(res.text).toMatch(
        new RegExp(
          `<th scope="row">\\d+月</th><td>${m.held} / ${m.due} 个支部</td><td>${share}</td>`,
        ),
      );
    }
    for (const path of [
      '/reports/learning',
      '/reports/hours',
      `/reports/hours?org=${city.id}&year=${city.year}`,
    ]) {
      const other = await page.get(path);
      expect(other.status).toBe(200);
    }
    const home = await page.get('/');
    expect(home.text).toContain('reports-home');
  });

  it('keeps a branch secretary to their own branch in the API, the downloads and the pages', async () => {
    const mine = await t.api('GET', '/api/v1/reports/regularity', { token: secretary });
    expect(mine.json.branches.map((b: Branch) => b.id)).toEqual([homeBranch.id]);

    for (const format of ['', '&format=csv', '&format=xlsx']) {
      for (const org of [otherBranch.id, city.id]) {
        const res = await t.api('GET', `/api/v1/reports/regularity?org=${org}${format}`, {
          token: secretary,
        });
        expect(res.status).toBe(403);
      }
      const hours = await t.api('GET', `/api/v1/reports/hours?org=${otherBranch.id}${format}`, {
        token: secretary,
      });
      expect(hours.status).toBe(403);
      const completion = await t.api(
        'GET',
        `/api/v1/reports/completion?org=${otherBranch.id}${format}`,
        { token: secretary },
      );
      expect(completion.status).toBe(403);
    }

    const csv = await download(t, '/api/v1/reports/regularity?format=csv', secretary);
    expect(csv.status).toBe(200);
    const text = csv.bytes.toString('utf8');
    expect(text).toContain(homeBranch.name);
    expect(text).not.toContain(otherBranch.name);

    const hoursCsv = (
      await download(t, '/api/v1/reports/hours?format=csv', secretary)
    ).bytes.toString('utf8');
    expect(hoursCsv).toContain('secretary');
    // user007 is the first person of the second demo branch.
    expect(hoursCsv).not.toContain('user007');

    const xlsx = await download(t, '/api/v1/reports/regularity?format=xlsx', secretary);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.bytes as unknown as ExcelJS.Buffer);
    const names = new Set<string>();
    book.worksheets[0]?.eachRow((row) => names.add(row.getCell(2).text));
    expect(names.has(homeBranch.name)).toBe(true);
    expect(names.has(otherBranch.name)).toBe(false);

    const page = new PageClient(t.url);
    await page.signIn('secretary');
    const own = await page.get('/reports');
    expect(own.status).toBe(200);
    expect(own.text).toContain(homeBranch.name);
    expect(own.text).not.toContain(otherBranch.name);
    const other = await page.get(`/reports?org=${otherBranch.id}`);
    expect(other.status).toBe(403);
    expect(other.text).not.toContain(`<th scope="row">${otherBranch.name}`);
    const cadre = await t.token('cadre');
    expect((await t.api('GET', '/api/v1/reports/regularity', { token: cadre })).status).toBe(403);
  });

  it('exports a person named like a formula as text, with a BOM and Chinese intact, in CSV and XLSX', async () => {
    const created = await t.api('POST', '/api/v1/users', {
      token: admin,
      body: {
        username: 'formula.person',
        displayName: INJECTION,
        password: 'Quiet-River-2026',
        orgId: homeBranch.id,
      },
    });
    expect(created.status).toBe(201);

    const csv = await download(t, `/api/v1/reports/hours?org=${city.id}&format=csv`, admin);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toMatch(
      /^attachment; filename="hours-\d{4}\.csv"; filename\*=UTF-8''hours-\d{4}\.csv$/,
    );
    expect(csv.headers.get('cache-control')).toBe('no-store');
    expect([...csv.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = csv.bytes.toString('utf8');
    expect(text).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(text).not.toMatch(/(^|,)=HYPERLINK/m);
    expect(text).toContain('孙书记');
    expect(text).toContain('姓名');

    const xlsx = await download(t, `/api/v1/reports/hours?org=${city.id}&format=xlsx`, admin);
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-disposition')).toMatch(
      /^attachment; filename="hours-\d{4}\.xlsx"; filename\*=UTF-8''hours-\d{4}\.xlsx$/,
    );
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.bytes as unknown as ExcelJS.Buffer);
    const sheet = book.worksheets[0];
    const values: unknown[] = [];
    let formulas = 0;
    sheet?.eachRow((row) =>
      row.eachCell((cell) => {
        values.push(cell.value);
        if (cell.type === ExcelJS.ValueType.Formula) {
          formulas += 1;
        }
      }),
    );
    expect(values).toContain(`'${INJECTION}`);
    expect(values).toContain('孙书记');
    expect(formulas).toBe(0);
    // Numbers stay numbers.
    expect(values.some((v) => typeof v === 'number')).toBe(true);

    const audit: Array<{ n: number | string }> = await t.dataSource.query(
      "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'report.export'",
    );
    expect(Number(audit[0]?.n)).toBeGreaterThanOrEqual(2);
  });

  it('answers completion, hours, continuing education and item analysis for the city', async () => {
    const completion = await t.api('GET', `/api/v1/reports/completion?org=${city.id}`, {
      token: admin,
    });
    expect(completion.status).toBe(200);
    expect(Array.isArray(completion.json.courses)).toBe(true);
    expect(completion.json.nodes.length).toBeGreaterThan(0);
    const hours = await t.api('GET', `/api/v1/reports/hours?org=${city.id}`, { token: admin });
    expect(hours.status).toBe(200);
    expect(hours.json.people.length).toBeGreaterThan(70);
    expect(hours.json.months).toHaveLength(12);
    expect(hours.json.requirements.map((r: { key: string }) => r.key)).toEqual(
      expect.arrayContaining(['party-education', 'cadre-online']),
    );
    const ce = await t.api('GET', `/api/v1/reports/continuing-education?org=${city.id}`, {
      token: admin,
    });
    expect(ce.status).toBe(200);
    expect(ce.json.windowMonths).toBe(6);
    const items = await t.api('GET', `/api/v1/reports/items?org=${city.id}&format=csv`, {
      token: admin,
    });
    expect(items.status).toBe(200);
    const bad = await t.api('GET', '/api/v1/reports/regularity?year=20x6', { token: admin });
    expect(bad.status).toBe(400);
    const unknownCourse = await t.api('GET', '/api/v1/reports/completion?course=no-such-course', {
      token: admin,
    });
    expect(unknownCourse.status).toBe(404);
  });
});
