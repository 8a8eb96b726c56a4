// The app (and its module graph) loads first; the service import then finds its dependencies initialised.
import { startTestApp, TestApp } from './helpers/test-app';
import { LoadgenRefused, LoadgenService } from '../src/loadgen/loadgen.service';

const silent = { start: () => undefined, tick: () => undefined, stop: () => undefined };
const options = {
  users: 200,
  branches: 20,
  years: 2,
  courses: 12,
  seed: 7,
  now: new Date('2026-06-15T00:00:00Z'),
};

async function count(t: TestApp, table: string): Promise<number> {
  const rows = await t.dataSource.query<Array<{ n: number | string }>>(
    `SELECT COUNT(*) AS n FROM ${table}`,
  );
  return Number(rows[0].n);
}

async function fingerprint(t: TestApp): Promise<string[]> {
  const q = async (sql: string): Promise<string[]> =>
    (await t.dataSource.query<Array<{ id: string }>>(sql)).map((r) => r.id);
  return [
    ...(await q('SELECT id FROM users ORDER BY username')),
    ...(await q('SELECT id FROM study_days ORDER BY id LIMIT 50')),
    ...(await q('SELECT id FROM quiz_attempts ORDER BY id LIMIT 50')),
  ];
}

jest.setTimeout(120_000);

describe('load:generate (tiny city)', () => {
  let first: string[];

  it('fills an empty database with the expected rows, and refuses a second run', async () => {
    const t = await startTestApp({ demo: false });
    try {
      const counts = await t.app.get(LoadgenService).generate(options, silent);
      expect(await count(t, 'users')).toBe(202); // 200 people + city admin + trainer
      expect(await count(t, 'org_nodes')).toBe(1 + 1 + 1 + 5 + 20);
      expect(await count(t, 'courses')).toBe(12);
      expect(await count(t, 'study_days')).toBe(20 * 24);
      expect(await count(t, 'attendance_sessions')).toBe(20 * 24);
      expect(await count(t, 'attendance_records')).toBe(200 * 24);
      expect(await count(t, 'quiz_attempts')).toBe(200 * 24);
      expect(await count(t, 'study_hour_ledger')).toBe(counts.study_hour_ledger);
      expect(counts.certificates).toBeGreaterThan(100);
      first = await fingerprint(t);

      await expect(t.app.get(LoadgenService).generate(options, silent)).rejects.toBeInstanceOf(
        LoadgenRefused,
      );

      // Generated people sign in with the shared password; the city admin sees the whole city's regularity.
      const token = await t.token('lg-admin');
      const report = await t.api('GET', '/api/v1/reports/regularity?year=2025', { token });
      expect(report.status).toBe(200);
      expect(report.json.branches).toHaveLength(20);
      const learner = await t.token('u000150');
      const transcript = await t.api('GET', '/api/v1/me/transcript', { token: learner });
      expect(transcript.status).toBe(200);
      expect(transcript.json.entries.length).toBeGreaterThan(0);
    } finally {
      await t.close();
    }
  });

  it('builds the same ids for the same seed', async () => {
    const t = await startTestApp({ demo: false });
    try {
      await t.app.get(LoadgenService).generate(options, silent);
      expect(await fingerprint(t)).toEqual(first);
    } finally {
      await t.close();
    }
  });
});
