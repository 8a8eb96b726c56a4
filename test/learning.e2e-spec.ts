import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { TRANSCRIPT_ROWS_SQL } from '../src/learning/ledger.service';
import { LessonViewLog } from '../src/learning/lesson-view-log';
import { PageClient, startTestApp, TestApp } from './helpers/test-app';

jest.setTimeout(60000);

interface Outline {
  id: string;
  modules: Array<{ lessons: Array<{ id: string; minutes: number }> }>;
}

const lessonIds = (course: Outline): string[] =>
  course.modules.flatMap((m) => m.lessons.map((l) => l.id));

async function ledgerRows(t: TestApp, userId: string, activityId?: string): Promise<number> {
  const p = (n: number) => (t.db === 'postgres' ? `$${n}` : '?');
  const sql = `SELECT COUNT(*) AS n FROM study_hour_ledger WHERE user_id = ${p(1)}${activityId ? ` AND activity_id = ${p(2)}` : ''}`;
  const rows: Array<{ n: string | number }> = await t.dataSource.query(
    sql,
    activityId ? [userId, activityId] : [userId],
  );
  return Number(rows[0]?.n ?? 0);
}

describe('Learning: enrolment, progress, study-hour ledger and transcript', () => {
  let t: TestApp;
  let content: string;

  beforeAll(async () => {
    content = mkdtempSync(join(tmpdir(), 'cadre-content-'));
    const skip = new Set((process.env.CADRE_TEST_SKIP_CONTENT ?? '').split(',').filter(Boolean));
    cpSync(join(__dirname, '..', 'content'), content, {
      recursive: true,
      filter: (src) => !skip.has(basename(src)),
    });
    t = await startTestApp({ env: { CONTENT_DIR: content } });
  }, 120000);
  afterAll(async () => {
    await t.close();
    rmSync(content, { recursive: true, force: true });
  });

  const me = async (token: string): Promise<string> =>
    (await t.api('GET', '/api/v1/me', { token })).json.id as string;

  it('shows the demo cadre a transcript with hours from a completed course', async () => {
    const cadre = await t.token('cadre');
    const res = await t.api('GET', '/api/v1/me/transcript', { token: cadre });
    expect(res.status).toBe(200);
    const online = res.json.requirements.find((r: { key: string }) => r.key === 'cadre-online');
    expect(online).toEqual(
      expect.objectContaining({
        title: expect.any(String),
        required: 50,
        periodStart: expect.stringMatching(/-01-01$/),
        periodEnd: expect.stringMatching(/-12-31$/),
      }),
    );
    expect(online.done).toBeGreaterThan(0);
    expect(online.gap).toBeCloseTo(50 - online.done);
    expect(res.json.entries.length).toBeGreaterThan(0);
    expect(res.json.entries[0]).toEqual(
      expect.objectContaining({
        date: expect.any(String),
        hours: expect.any(Number),
        trainingKind: expect.any(String),
        source: expect.objectContaining({
          type: 'lesson',
          id: expect.any(String),
          title: expect.any(String),
          courseSlug: expect.any(String),
        }),
      }),
    );
    // The secretary holds the role, so party-member education asks 56 hours.
    const secretary = await t.api('GET', '/api/v1/me/transcript', {
      token: await t.token('secretary'),
    });
    expect(
      secretary.json.requirements.find((r: { key: string }) => r.key === 'party-education')
        ?.required,
    ).toBe(56);
    expect(
      secretary.json.requirements.find((r: { key: string }) => r.key === 'continuing-education')
        ?.required,
    ).toBe(90);
  });

  it('reads a transcript newest first, row for row the ledger, from its covering index alone', async () => {
    const cadre = await t.token('cadre');
    const userId = await me(cadre);
    const res = await t.api('GET', '/api/v1/me/transcript', { token: cadre });
    const p = t.db === 'postgres' ? '$1' : '?';
    const rows: Array<Record<string, unknown>> = await t.dataSource.query(
      `SELECT * FROM study_hour_ledger WHERE user_id = ${p} ORDER BY occurred_at DESC`,
      [userId],
    );
    expect(rows.length).toBeGreaterThan(1);
    expect(res.json.entries).toEqual(
      rows.map((r) => ({
        date: new Date(String(r.occurred_at)).toISOString(),
        hours: Number(r.hours),
        trainingKind: r.training_kind,
        source: {
          type: r.activity_type,
          id: r.activity_id,
          title: r.title,
          courseSlug: r.course_slug,
        },
      })),
    );
    const indexed = (sql: string): Promise<Array<{ name: string }>> => t.dataSource.query(sql);
    const names =
      t.db === 'postgres'
        ? await indexed(
            `SELECT indexname AS name FROM pg_indexes WHERE tablename = 'study_hour_ledger'`,
          )
        : await indexed(`SELECT name FROM pragma_index_list('study_hour_ledger')`);
    expect(names.map((n) => n.name)).toContain('idx_ledger_user_transcript');
    if (t.db !== 'postgres') {
      // PostgreSQL picks index-only scans by its statistics; SQLite's plan is fixed by the schema.
      const plan: Array<{ detail: string }> = await t.dataSource.query(
        `EXPLAIN QUERY PLAN ${TRANSCRIPT_ROWS_SQL.replace(':userId', '?')}`,
        [userId],
      );
      expect(plan.map((s) => s.detail).join(' ')).toContain(
        'COVERING INDEX idx_ledger_user_transcript',
      );
    }
  });

  it('credits every lesson of a course once, however often (and however concurrently) completion is sent', async () => {
    const token = await t.token('user006');
    const userId = await me(token);
    const course = (await t.api('GET', '/api/v1/courses/community-emergency-drill', { token }))
      .json as Outline;
    const ids = lessonIds(course);
    expect((await t.api('POST', `/api/v1/lessons/${ids[0]}/complete`, { token })).status).toBe(403);
    expect(
      (await t.api('POST', '/api/v1/courses/community-emergency-drill/enrol', { token })).status,
    ).toBe(201);
    const before = await ledgerRows(t, userId);
    const [first, ...rest] = ids;
    const concurrent = await Promise.all(
      Array.from({ length: 10 }, () =>
        t.api('POST', `/api/v1/lessons/${first}/complete`, { token }),
      ),
    );
    expect(concurrent.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(concurrent.filter((r) => r.json.credited).length).toBe(1);
    expect(await ledgerRows(t, userId, first)).toBe(1);
    for (const id of rest) {
      const results = await Promise.all(
        [1, 2, 3].map(() => t.api('POST', `/api/v1/lessons/${id}/complete`, { token })),
      );
      expect(results.filter((r) => r.json.credited).length).toBe(1);
    }
    expect(await ledgerRows(t, userId)).toBe(before + ids.length);
    const again = await t.api('POST', `/api/v1/lessons/${first}/complete`, { token });
    expect(again.json).toEqual(expect.objectContaining({ credited: false, newlyCompleted: false }));
    expect(await ledgerRows(t, userId)).toBe(before + ids.length);
    const transcript = await t.api('GET', '/api/v1/me/transcript', { token });
    const fromCourse = transcript.json.entries.filter(
      (e: { source: { courseSlug: string } }) =>
        e.source.courseSlug === 'community-emergency-drill',
    );
    expect(fromCourse.length).toBe(ids.length);
    const minutes = course.modules.flatMap((m) => m.lessons.map((l) => l.minutes));
    const expected = minutes.reduce((s, m) => s + (m >= 30 ? 1 : m >= 15 ? 0.5 : 0.25), 0);
    expect(fromCourse.reduce((s: number, e: { hours: number }) => s + e.hours, 0)).toBeCloseTo(
      expected,
    );
  });

  it('marks the course completed once and keeps the learner on the version they studied', async () => {
    const token = await t.token('user005');
    const trainer = await t.token('trainer');
    expect((await t.api('POST', '/api/v1/courses/party-study-day/enrol', { token })).status).toBe(
      201,
    );
    const v1 = (await t.api('GET', '/api/v1/courses/party-study-day', { token }))
      .json as Outline & { version: number };
    // A new version is published while the learner is studying.
    const draft = (await t.api('GET', '/api/v1/courses/party-study-day/draft', { token: trainer }))
      .json;
    const put = await t.api('PUT', '/api/v1/courses/party-study-day', {
      token: trainer,
      body: {
        slug: 'party-study-day',
        title: draft.title,
        titleEn: draft.titleEn,
        trainingKind: draft.trainingKind,
        hours: draft.hours,
        summary: draft.summary,
        summaryEn: draft.summaryEn,
        overview: `${draft.overview}\n\n更新说明。`,
        modules: draft.modules.map(
          (m: {
            title: string;
            titleEn: string;
            lessons: Array<{
              key: string;
              title: string;
              titleEn: string;
              minutes: number;
              kind: string;
              markdown: string;
            }>;
          }) => ({
            title: m.title,
            titleEn: m.titleEn,
            lessons: m.lessons.map((l) => ({
              key: l.key,
              title: l.title,
              titleEn: l.titleEn,
              minutes: l.minutes,
              kind: l.kind,
              markdown: l.markdown,
            })),
          }),
        ),
      },
    });
    expect(put.status).toBe(200);
    const published = await t.api('POST', '/api/v1/courses/party-study-day/publish', {
      token: trainer,
    });
    expect(published.json.version).toBe(v1.version + 1);
    const results = [];
    for (const id of lessonIds(v1)) {
      results.push((await t.api('POST', `/api/v1/lessons/${id}/complete`, { token })).json);
    }
    expect(results.filter((r) => r.courseCompleted).length).toBe(1);
    expect(results[results.length - 1].courseCompleted).toBe(true);
    const page = new PageClient(t.url);
    await page.signIn('user005');
    const coursePage = await page.get('/courses/party-study-day');
    expect(coursePage.text).toContain(`第 ${v1.version} 版`);
  });

  it('lets a secretary assign a course with a due date to someone in their branch, not outside it', async () => {
    const secretary = await t.token('secretary');
    const cadreId = await me(await t.token('cadre'));
    const res = await t.api('POST', '/api/v1/courses/volunteer-mobilising/enrol', {
      token: secretary,
      body: { userId: cadreId, dueDate: '2030-06-30' },
    });
    expect(res.status).toBe(201);
    expect(res.json).toEqual(
      expect.objectContaining({
        userId: cadreId,
        dueDate: '2030-06-30',
        assignedBy: expect.any(String),
      }),
    );
    const farAway = await me(await t.token('user050'));
    expect(
      (
        await t.api('POST', '/api/v1/courses/volunteer-mobilising/enrol', {
          token: secretary,
          body: { userId: farAway },
        })
      ).status,
    ).toBe(404);
    const learner = await t.token('user004');
    expect(
      (
        await t.api('POST', '/api/v1/courses/volunteer-mobilising/enrol', {
          token: learner,
          body: { userId: cadreId },
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await t.api('POST', '/api/v1/courses/volunteer-mobilising/enrol', {
          token: secretary,
          body: { dueDate: 'soon' },
        })
      ).status,
    ).toBe(400);
    const home = new PageClient(t.url);
    await home.signIn('cadre');
    const dashboard = await home.get('/');
    expect(dashboard.text).toContain('组织动员居民与志愿者');
    expect(dashboard.text).toContain('2030-06-30');
  });

  it('answers 404 for an unknown lesson and 403 to a learner who is not enrolled', async () => {
    const token = await t.token('user007');
    expect(
      (await t.api('GET', '/api/v1/lessons/00000000-0000-0000-0000-000000000000', { token }))
        .status,
    ).toBe(404);
    const course = (await t.api('GET', '/api/v1/courses/social-work-basics', { token }))
      .json as Outline;
    const lesson = await t.api('GET', `/api/v1/lessons/${lessonIds(course)[0]}`, { token });
    expect(lesson.status).toBe(403);
    expect(lesson.json.error).toBe('LESSON_NOT_ENROLLED');
  });

  it('walks a learner through the pages without script: enrol, read, mark done, resume, transcript', async () => {
    const page = new PageClient(t.url);
    await page.signIn('user009');
    const catalogue = await page.get('/courses');
    expect(catalogue.status).toBe(200);
    const course = await page.get('/courses/digital-grid-management');
    expect(course.text).toContain('报名学习');
    const enrolled = await page.post('/courses/digital-grid-management/enrol', {
      _csrf: PageClient.csrf(course.text),
    });
    expect(enrolled.status).toBe(303);
    const outline = await page.get('/courses/digital-grid-management?enrolled=1');
    const first = /href="\/lessons\/([0-9a-f-]{36})"/.exec(outline.text)?.[1] ?? '';
    const lesson = await page.get(`/lessons/${first}`);
    expect(lesson.status).toBe(200);
    expect(lesson.text).toContain('我已学完本课');
    const done = await page.post(`/lessons/${first}/complete`, {
      _csrf: PageClient.csrf(lesson.text),
    });
    expect(done.status).toBe(303);
    const after = await page.get(`/lessons/${first}?done=1`);
    expect(after.text).toContain('学时已计入学习档案');
    expect(after.text).toContain('下一课');
    const resumed = await page.get('/courses/digital-grid-management');
    expect(resumed.text).toContain('已完成 1/');
    expect(resumed.text).toContain('继续学习');
    const transcript = await page.get('/me/transcript?lang=en');
    expect(transcript.text).toContain('Cadre online study');
    expect(transcript.text).toContain('hours to go');
  });

  it('writes a batch of noted views as each enrolment’s resume point, keeping a start already set', async () => {
    const log = t.app.get(LessonViewLog);
    const p = (n: number) => (t.db === 'postgres' ? `$${n}` : '?');
    const enrolments: Array<{
      id: string;
      user_id: string;
      course_id: string;
      version_id: string;
      started_at: string | null;
    }> = await t.dataSource.query(
      'SELECT id, user_id, course_id, version_id, started_at FROM enrolments ORDER BY id LIMIT 3',
    );
    expect(enrolments.length).toBe(3);
    const base = Date.now();
    const views = [];
    for (const [i, e] of enrolments.entries()) {
      const lessons: Array<{ id: string; key: string }> = await t.dataSource.query(
        `SELECT id, key FROM lessons WHERE version_id = ${p(1)} ORDER BY position`,
        [e.version_id],
      );
      // Two views per enrolment, the later one noted first: the latest view wins, not the last noted.
      const [first, second] = [lessons[0], lessons[1] ?? lessons[0]];
      const early = new Date(base - 60_000 * (i + 2));
      const late = new Date(base - 60_000 * i);
      for (const [lesson, at] of [
        [second, late],
        [first, early],
      ] as const) {
        log.note({
          userId: e.user_id,
          enrolmentId: e.id,
          lesson: {
            id: lesson.id,
            courseId: e.course_id,
            versionId: e.version_id,
            key: lesson.key,
          },
          at,
        });
      }
      views.push({ enrolment: e, lesson: second.id, at: late.toISOString() });
    }
    await log.flush();
    for (const v of views) {
      const [row]: Array<{ last_lesson_id: string; last_viewed_at: string; started_at: string }> =
        await t.dataSource.query(
          `SELECT last_lesson_id, last_viewed_at, started_at FROM enrolments WHERE id = ${p(1)}`,
          [v.enrolment.id],
        );
      expect(row.last_lesson_id).toBe(v.lesson);
      expect(row.last_viewed_at).toBe(v.at);
      expect(row.started_at).toBe(v.enrolment.started_at ?? v.at);
    }
    // A later view of a lesson already viewed moves only its last view: the first view and completion stay.
    const again = views[0];
    const progressOf = async () => {
      const [row]: Array<{
        first_viewed_at: string;
        last_viewed_at: string;
        completed_at: string | null;
      }> = await t.dataSource.query(
        `SELECT first_viewed_at, last_viewed_at, completed_at FROM lesson_progress
         WHERE user_id = ${p(1)} AND lesson_id = ${p(2)}`,
        [again.enrolment.user_id, again.lesson],
      );
      return row;
    };
    const before = await progressOf();
    const later = new Date(base + 60_000);
    log.note({
      userId: again.enrolment.user_id,
      enrolmentId: again.enrolment.id,
      lesson: {
        id: again.lesson,
        courseId: again.enrolment.course_id,
        versionId: again.enrolment.version_id,
        key: 'unused-on-conflict',
      },
      at: later,
    });
    await log.flush();
    expect(await progressOf()).toEqual({ ...before, last_viewed_at: later.toISOString() });
  });
});
