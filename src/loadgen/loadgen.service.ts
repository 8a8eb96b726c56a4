import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource, EntityManager } from 'typeorm';
import { hashPassword } from '../auth/password-hasher';
import { ContentImportService } from '../content/content-import.service';
import { AppConfigService } from '../config/app-config.service';
import { SQLITE_CACHE_SIZE } from '../database/data-source-options';
import { TransactionService } from '../database/transaction.service';
import { OrgTreeService } from '../organizations/org-tree.service';
import type { Progress } from '../cli/progress';
import {
  COMMUNITY_WORDS,
  DISTRICT_NAMES,
  GIVEN,
  SeededRandom,
  STREET_WORDS,
  SURNAMES,
  TOPICS,
} from './loadgen.random';

export interface LoadgenOptions {
  users: number;
  branches: number;
  years: number;
  seed: number;
  /** Published courses in the end (the demo courses of content/ cloned with suffixes). */
  courses?: number;
  /** The last month generated is the month before this date (default: now). */
  now?: Date;
}

export type LoadgenCounts = Record<string, number>;

export class LoadgenRefused extends Error {}

/** Password of every generated person (one precomputed hash, so generation never runs scrypt per person). */
export const LOADGEN_PASSWORD = 'demo1234';
export const LOADGEN_ADMIN = 'lg-admin';

type Row = unknown[];
type Cell = string | number | boolean | null;

/** Buffers rows per table and writes them as multi-row INSERTs; tables flush in the order they first appear (FK order). */
class Sink {
  private readonly buffers = new Map<string, { cols: string[]; rows: Row[] }>();
  pending = 0;
  readonly counts: LoadgenCounts = {};

  constructor(
    private readonly pg: boolean,
    private readonly progress: Progress,
  ) {}

  add(table: string, cols: string[], row: Cell[]): void {
    let buf = this.buffers.get(table);
    if (!buf) {
      buf = { cols, rows: [] };
      this.buffers.set(table, buf);
    }
    buf.rows.push(row);
    this.pending++;
    this.counts[table] = (this.counts[table] ?? 0) + 1;
  }

  async flush(m: EntityManager): Promise<void> {
    for (const [table, buf] of this.buffers) {
      // Stay well under SQLite's 32766 and PostgreSQL's 65535 bound parameters.
      const per = Math.max(1, Math.min(500, Math.floor(30000 / buf.cols.length)));
      for (let i = 0; i < buf.rows.length; i += per) {
        const chunk = buf.rows.slice(i, i + per);
        const params: unknown[] = [];
        let n = 0;
        const values = chunk
          .map((row) => {
            const marks = row.map((v) => {
              params.push(!this.pg && typeof v === 'boolean' ? (v ? 1 : 0) : v);
              n++;
              return this.pg ? `$${n}` : '?';
            });
            return `(${marks.join(',')})`;
          })
          .join(',');
        const cols = buf.cols.map((c) => `"${c}"`).join(',');
        await m.query(`INSERT INTO "${table}" (${cols}) VALUES ${values}`, params);
        for (let k = 0; k < chunk.length; k += 1000) {
          this.progress.tick();
        }
      }
      buf.rows = [];
    }
    this.pending = 0;
  }
}

interface CourseInfo {
  id: string;
  slug: string;
  versionId: string;
  title: string;
  trainingKind: string;
  lessonIds: string[];
  quizzes: Array<{ id: string; maxScore: number; passMark: number; allowed: number }>;
}

const COMMIT_EVERY = 40_000;
const iso = (ms: number): string => new Date(ms).toISOString();
const DAY = 86_400_000;

/**
 * Fills an empty database with a believable city for load tests: org tree, people with Chinese names, cloned
 * published courses, a study day per branch and month with attendance and hour credits, quiz attempts and
 * yearly certificates. Rows go in as batched multi-row INSERTs, committed every ~40k rows; ids come from a
 * seeded generator so a seed always gives the same city.
 */
@Injectable()
export class LoadgenService {
  constructor(
    private readonly ds: DataSource,
    private readonly tx: TransactionService,
    private readonly content: ContentImportService,
    private readonly config: AppConfigService,
    private readonly moduleRef: ModuleRef,
  ) {}

  async generate(opts: LoadgenOptions, progress: Progress): Promise<LoadgenCounts> {
    const pg = this.tx.isPostgres;
    const count = async (table: string): Promise<number> =>
      Number(
        (
          await this.ds.query<Array<{ n: number | string }>>(`SELECT COUNT(*) AS n FROM ${table}`)
        )[0].n,
      );
    if ((await count('users')) > 0 || (await count('org_nodes')) > 0) {
      throw new LoadgenRefused(
        'The database already holds people or organisations: load:generate only fills an empty database.',
      );
    }
    if ((await count('courses')) === 0) {
      const report = await this.content.import(this.config.contentDir);
      if (!report.ok) {
        throw new LoadgenRefused(
          `content/ did not import: ${report.problems.map((p) => `${p.file}:${p.line} ${p.message}`).join('; ')}`,
        );
      }
    }
    if (!pg) {
      // Bulk load into a fresh file: random-UUID keys make every index insert touch a random page, so a page
      // cache big enough for the whole file (not the server's 64 MB) is what makes this minutes, not an hour.
      // synchronous=OFF only while loading: a crash here means "run it again on an empty file".
      await this.ds.query('PRAGMA cache_size = -2000000');
      await this.ds.query('PRAGMA synchronous = OFF');
    }
    const rng = new SeededRandom(opts.seed);
    const nowMs = (opts.now ?? new Date()).getTime();
    const months = opts.years * 12;
    const B = Math.max(1, opts.branches);
    const U = Math.max(B, opts.users);
    const estimate = Math.ceil((U * (months * 2.2 + 6) + B * months * 2) / 1000) + 10;
    progress.start(estimate);
    const sink = new Sink(pg, progress);
    const commit = async (force = false): Promise<void> => {
      if (force || sink.pending >= COMMIT_EVERY) {
        await this.tx.run((m) => sink.flush(m));
      }
    };
    const createdAt = iso(nowMs - (months + 1) * 31 * DAY);
    const hash = await hashPassword(LOADGEN_PASSWORD);

    // Organisation tree: city > districts > streets > communities > branches (about 10 / 100 / 500 / 2000).
    const orgCols = [
      'id',
      'kind',
      'name',
      'name_en',
      'parent_id',
      'path',
      'depth',
      'zone',
      'code',
      'created_at',
    ];
    const nDistricts = Math.max(1, Math.round(B / 200));
    const nStreets = Math.max(nDistricts, Math.round(B / 20));
    const nCommunities = Math.max(nStreets, Math.round(B / 4));
    const cityId = rng.uuid();
    const cityName = '示范市';
    sink.add('org_nodes', orgCols, [
      cityId,
      'city',
      cityName,
      'Demo City',
      null,
      `/${cityId}/`,
      0,
      'Asia/Shanghai',
      'SF',
      createdAt,
    ]);
    const node = (
      kind: string,
      name: string,
      nameEn: string,
      parent: { id: string; path: string; depth: number },
    ) => {
      const id = rng.uuid();
      const n = { id, path: `${parent.path}${id}/`, depth: parent.depth + 1, name };
      sink.add('org_nodes', orgCols, [
        id,
        kind,
        name,
        nameEn,
        parent.id,
        n.path,
        n.depth,
        'Asia/Shanghai',
        null,
        createdAt,
      ]);
      return n;
    };
    const city = { id: cityId, path: `/${cityId}/`, depth: 0 };
    const districts = Array.from({ length: nDistricts }, (_, i) =>
      node(
        'district',
        `${DISTRICT_NAMES[i % DISTRICT_NAMES.length]}区${i >= DISTRICT_NAMES.length ? i : ''}`,
        `District ${i + 1}`,
        city,
      ),
    );
    const streets = Array.from({ length: nStreets }, (_, i) =>
      node(
        'street',
        `${STREET_WORDS[i % STREET_WORDS.length]}街道${Math.floor(i / STREET_WORDS.length) || ''}`,
        `Street ${i + 1}`,
        districts[i % nDistricts],
      ),
    );
    const communities = Array.from({ length: nCommunities }, (_, i) =>
      node(
        'community',
        `${COMMUNITY_WORDS[i % COMMUNITY_WORDS.length]}${i + 1}社区`,
        `Community ${i + 1}`,
        streets[i % nStreets],
      ),
    );
    const branches = Array.from({ length: B }, (_, i) => {
      const c = communities[i % nCommunities];
      return node(
        'branch',
        `${c.name}第${Math.floor(i / nCommunities) + 1}党支部`,
        `Branch ${i + 1}`,
        c,
      );
    });

    // People: learners spread over the branches; the first member of each branch is its secretary.
    const userCols = [
      'id',
      'username',
      'display_name',
      'password_hash',
      'phone',
      'org_id',
      'party_member',
      'post_type',
      'post_grade',
      'hire_date',
      'qualification_level',
      'registration_start',
      'branch_committee',
      'active',
      'created_at',
      'updated_at',
    ];
    const roleCols = ['id', 'user_id', 'role', 'org_id'];
    const memberCols = ['id', 'user_id', 'org_id', 'joined_on', 'left_on'];
    const joinedOn = createdAt.slice(0, 10);
    const addUser = (username: string, name: string, orgId: string, committee: boolean): string => {
      const id = rng.uuid();
      sink.add('users', userCols, [
        id,
        username,
        name,
        hash,
        null,
        orgId,
        true,
        null,
        null,
        null,
        'none',
        null,
        committee,
        true,
        createdAt,
        createdAt,
      ]);
      return id;
    };
    const adminId = addUser(LOADGEN_ADMIN, '赵市管', cityId, false);
    sink.add('role_assignments', roleCols, [rng.uuid(), adminId, 'admin', cityId]);
    const trainerId = addUser('lg-trainer', '钱培训', cityId, false);
    sink.add('role_assignments', roleCols, [rng.uuid(), trainerId, 'trainer', cityId]);
    const people: Array<{ id: string; name: string; branch: number }> = [];
    const members: string[][] = branches.map(() => []);
    for (let i = 0; i < U; i++) {
      const b = i % B;
      const name = rng.pick(SURNAMES) + rng.pick(GIVEN) + (rng.next() < 0.6 ? rng.pick(GIVEN) : '');
      const secretary = i < B;
      const id = addUser(`u${String(i + 1).padStart(6, '0')}`, name, branches[b].id, secretary);
      if (secretary) {
        sink.add('role_assignments', roleCols, [rng.uuid(), id, 'secretary', branches[b].id]);
      }
      sink.add('branch_memberships', memberCols, [rng.uuid(), id, branches[b].id, joinedOn, null]);
      people.push({ id, name, branch: b });
      members[b].push(id);
      await commit();
    }
    await commit(true);

    const courses = await this.cloneCourses(opts.courses ?? 60, sink, rng, createdAt);
    await commit(true);

    // Enrolments: three courses each, two of them completed. The last two courses stay untouched (bench quizzes).
    const learnable = courses.slice(0, Math.max(1, courses.length - 2));
    const enrolCols = [
      'id',
      'user_id',
      'course_id',
      'version_id',
      'assigned_by',
      'due_date',
      'enrolled_at',
      'started_at',
      'completed_at',
      'last_lesson_id',
      'last_viewed_at',
    ];
    const enrolledOf: number[][] = [];
    for (const p of people) {
      const first = rng.int(learnable.length);
      const picks = [...new Set([0, 1, 2].map((k) => (first + k * 7) % learnable.length))];
      enrolledOf.push(picks);
      picks.forEach((ci, k) => {
        const c = learnable[ci];
        const done = k < 2;
        const at = iso(Date.parse(createdAt) + rng.int(300) * DAY);
        sink.add('enrolments', enrolCols, [
          rng.uuid(),
          p.id,
          c.id,
          c.versionId,
          null,
          null,
          at,
          at,
          done ? at : null,
          c.lessonIds[0] ?? null,
          at,
        ]);
      });
      await commit();
    }
    await commit(true);

    // A study day per branch and month (and its attendance session, same id), attendance, and hour credits.
    const dayCols = [
      'id',
      'org_id',
      'series_id',
      'meeting_types',
      'starts_at',
      'ends_at',
      'local_date',
      'original_date',
      'zone',
      'topic',
      'place',
      'agenda',
      'lesson_ids',
      'status',
      'change_reason',
      'detached',
      'sequence',
      'minutes',
      'minutes_at',
      'evidence',
      'created_by',
      'created_at',
      'updated_at',
    ];
    const sessionCols = [
      'id',
      'session_type',
      'org_id',
      'title',
      'starts_at',
      'ends_at',
      'opens_at',
      'closes_at',
      'grace_minutes',
      'local_date',
      'check_in_secret',
      'check_in_opened_at',
      'closed_at',
      'cancelled_at',
      'lesson_ids',
      'credit_hours',
      'training_kind',
      'course_slug',
      'place',
      'created_at',
    ];
    const recordCols = [
      'id',
      'session_id',
      'user_id',
      'status',
      'reason',
      'recorded_by',
      'source',
      'at',
    ];
    const ledgerCols = [
      'id',
      'user_id',
      'activity_type',
      'activity_id',
      'hours',
      'training_kind',
      'occurred_at',
      'year',
      'title',
      'course_slug',
      'basis_kind',
      'basis_value',
      'recorded_at',
    ];
    const now = new Date(nowMs);
    const firstMonth = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - months, 1);
    const hoursByUserYear = new Map<string, number>();
    for (let b = 0; b < B; b++) {
      const day = 5 + (b % 20);
      for (let mo = 0; mo < months; mo++) {
        const base = new Date(firstMonth);
        base.setUTCMonth(base.getUTCMonth() + mo);
        // 09:00 in Shanghai is 01:00 UTC; a two-hour study day.
        const starts = Date.UTC(base.getUTCFullYear(), base.getUTCMonth(), day, 1, 0, 0);
        const ends = starts + 2 * 3600_000;
        const localDate = iso(starts).slice(0, 10);
        const year = base.getUTCFullYear();
        const id = rng.uuid();
        const topic = TOPICS[(b + mo) % TOPICS.length];
        const types =
          (base.getUTCMonth() + 1) % 3 === 0
            ? '["study_day","group_meeting","general_meeting"]'
            : '["study_day","group_meeting"]';
        const lessons = JSON.stringify(
          learnable[(b + mo) % learnable.length].lessonIds.slice(0, 1),
        );
        sink.add('study_days', dayCols, [
          id,
          branches[b].id,
          null,
          types,
          iso(starts),
          iso(ends),
          localDate,
          localDate,
          'Asia/Shanghai',
          topic,
          '党群服务中心会议室',
          '1. 集中学习\n2. 交流讨论',
          lessons,
          'scheduled',
          null,
          false,
          0,
          rng.next() < 0.9 ? '会议记录：全体党员参加学习并交流体会。' : null,
          iso(ends),
          '{"plan":true,"materials":true,"signInSheet":true}',
          null,
          iso(starts - 14 * DAY),
          iso(ends),
        ]);
        sink.add('attendance_sessions', sessionCols, [
          id,
          'study_day',
          branches[b].id,
          topic,
          iso(starts),
          iso(ends),
          iso(starts - 30 * 60_000),
          iso(ends),
          10,
          localDate,
          null,
          iso(starts - 30 * 60_000),
          iso(ends),
          null,
          lessons,
          2,
          'on_the_job',
          null,
          '党群服务中心会议室',
          iso(starts - 14 * DAY),
        ]);
        for (const userId of members[b]) {
          const r = rng.next();
          const status = r < 0.82 ? 'present' : r < 0.9 ? 'late' : r < 0.95 ? 'leave' : 'absent';
          const at = iso(starts + (status === 'late' ? 15 : -5) * 60_000);
          sink.add('attendance_records', recordCols, [
            rng.uuid(),
            id,
            userId,
            status,
            status === 'leave' ? '因公外出' : null,
            null,
            status === 'absent' || status === 'leave' ? 'close' : 'code',
            at,
          ]);
          if (status === 'present' || status === 'late') {
            sink.add('study_hour_ledger', ledgerCols, [
              rng.uuid(),
              userId,
              'study_day',
              id,
              2,
              'on_the_job',
              iso(starts),
              year,
              topic,
              null,
              'hours',
              2,
              iso(ends),
            ]);
            const key = `${userId}|${year}`;
            hoursByUserYear.set(key, (hoursByUserYear.get(key) ?? 0) + 2);
          }
        }
      }
      await commit();
    }
    await commit(true);

    // Quiz attempts: one a month per person on average, over the quizzes of their courses and then others.
    const attemptCols = [
      'id',
      'quiz_id',
      'user_id',
      'number',
      'status',
      'started_at',
      'deadline',
      'submitted_at',
      'auto_submitted',
      'score',
      'max_score',
      'score_percent',
      'passed',
    ];
    const quizzes = learnable.flatMap((c) => c.quizzes);
    if (quizzes.length > 0) {
      const span = Math.max(1, nowMs - DAY - Date.parse(createdAt));
      for (let pi = 0; pi < people.length; pi++) {
        const p = people[pi];
        const own = enrolledOf[pi].flatMap((ci) => learnable[ci].quizzes);
        const order = [...own, ...quizzes.filter((q) => !own.includes(q))];
        let qi = 0;
        let number = 0;
        for (let k = 0; k < months; k++) {
          number++;
          if (number > order[qi].allowed) {
            qi++;
            number = 1;
          }
          if (qi >= order.length) {
            break;
          }
          const quiz = order[qi];
          const started = Date.parse(createdAt) + Math.floor((span * (k + rng.next())) / months);
          const score = Math.min(
            quiz.maxScore,
            Math.round(quiz.maxScore * (0.4 + rng.next() * 0.6)),
          );
          const percent = quiz.maxScore > 0 ? Math.round((score * 1000) / quiz.maxScore) / 10 : 0;
          sink.add('quiz_attempts', attemptCols, [
            rng.uuid(),
            quiz.id,
            p.id,
            number,
            'submitted',
            iso(started),
            null,
            iso(started + (5 + rng.int(20)) * 60_000),
            false,
            score,
            quiz.maxScore,
            percent,
            percent >= quiz.passMark,
          ]);
        }
        await commit();
      }
      await commit(true);
    }

    // Yearly continuing-education certificates for each finished year with at least 12 hours.
    const certCols = [
      'id',
      'user_id',
      'rule_key',
      'period_key',
      'issue_no',
      'serial',
      'verify_code',
      'title',
      'title_en',
      'level',
      'level_relation',
      'training_kind',
      'hours',
      'holder_name',
      'issuer_org_id',
      'issuer_name',
      'issued_at',
      'pdf_sha256',
      'status',
      'revoked_at',
      'revoked_by',
      'revoke_reason',
      'superseded_by_id',
      'replaces_id',
    ];
    const serials = new Map<number, number>();
    const thisYear = now.getUTCFullYear();
    for (const p of people) {
      for (let y = thisYear - opts.years; y < thisYear; y++) {
        const hours = hoursByUserYear.get(`${p.id}|${y}`) ?? 0;
        if (hours < 12) {
          continue;
        }
        const n = (serials.get(y) ?? 0) + 1;
        serials.set(y, n);
        const sha = Array.from({ length: 8 }, () =>
          rng.next32().toString(16).padStart(8, '0'),
        ).join('');
        sink.add('certificates', certCols, [
          rng.uuid(),
          p.id,
          'continuing-education',
          String(y),
          0,
          `SF-${y}-${String(n).padStart(6, '0')}`,
          rng.code(),
          '社会工作者继续教育年度合格证书',
          'Yearly continuing-education certificate',
          null,
          null,
          'on_the_job',
          hours,
          p.name,
          cityId,
          cityName,
          iso(Date.UTC(y + 1, 0, 15, 2)),
          sha,
          'valid',
          null,
          null,
          null,
          null,
          null,
        ]);
      }
      await commit();
    }
    for (const [y, n] of serials) {
      sink.add('certificate_serial_counters', ['org_id', 'year', 'last_number'], [cityId, y, n]);
    }
    await commit(true);
    if (!pg) {
      await this.ds.query('PRAGMA synchronous = FULL');
      await this.ds.query(`PRAGMA cache_size = ${SQLITE_CACHE_SIZE}`);
      await this.ds.query('PRAGMA wal_checkpoint(TRUNCATE)');
    }
    // Fresh planner statistics for the bench (both databases understand a bare ANALYZE).
    await this.ds.query('ANALYZE');
    // The org tree is cached in the process; this one must see the new city.
    // Looked up late: org-tree and audit import each other, so the class is not ready when this file loads.
    this.moduleRef.get(OrgTreeService, { strict: false }).invalidate();
    progress.stop();
    return sink.counts;
  }

  /** Clones the published demo courses (with their lessons, banks, questions and quizzes) to `total` courses. */
  private async cloneCourses(
    total: number,
    sink: Sink,
    rng: SeededRandom,
    createdAt: string,
  ): Promise<CourseInfo[]> {
    const all = async (sql: string): Promise<Array<Record<string, Cell>>> => this.ds.query(sql);
    const baseCourses = await all(
      `SELECT * FROM courses WHERE status = 'published' AND current_version_id IS NOT NULL ORDER BY slug`,
    );
    const versions = await all('SELECT * FROM course_versions');
    const lessons = await all('SELECT * FROM lessons ORDER BY position');
    const banks = await all('SELECT * FROM question_banks ORDER BY slug');
    const questions = await all('SELECT * FROM questions ORDER BY position');
    const quizzes = await all('SELECT * FROM quizzes ORDER BY slug');
    const out: CourseInfo[] = [];
    const info = (
      course: Record<string, Cell>,
      version: Record<string, Cell>,
      ls: Array<Record<string, Cell>>,
      qs: Array<Record<string, Cell>>,
      bankSizes: Map<string, number>,
    ): CourseInfo => ({
      id: String(course.id),
      slug: String(course.slug),
      versionId: String(version.id),
      title: String(version.title),
      trainingKind: String(course.training_kind),
      lessonIds: ls.map((l) => String(l.id)),
      quizzes: qs.map((q) => ({
        id: String(q.id),
        maxScore: Number(q.question_count ?? bankSizes.get(String(q.bank_id)) ?? 10),
        passMark: Number(q.pass_mark),
        allowed: q.attempts_allowed === null ? 3 : Math.max(1, Number(q.attempts_allowed)),
      })),
    });
    const bankSizes = new Map<string, number>();
    for (const q of questions) {
      if (!q.retired) {
        bankSizes.set(String(q.bank_id), (bankSizes.get(String(q.bank_id)) ?? 0) + 1);
      }
    }
    for (const c of baseCourses) {
      const v = versions.find((x) => x.id === c.current_version_id);
      if (v) {
        out.push(
          info(
            c,
            v,
            lessons.filter((l) => l.version_id === v.id),
            quizzes.filter((q) => q.course_id === c.id),
            bankSizes,
          ),
        );
      }
    }
    const insert = (table: string, row: Record<string, Cell>): void => {
      const cols = Object.keys(row);
      sink.add(
        table,
        cols,
        cols.map((k) => row[k]),
      );
    };
    for (let copy = 2; out.length < total && baseCourses.length > 0; copy++) {
      for (const c of baseCourses) {
        if (out.length >= total) {
          break;
        }
        const v = versions.find((x) => x.id === c.current_version_id);
        if (!v) {
          continue;
        }
        const suffix = `-${copy}`;
        const slug = `${String(c.slug).slice(0, 70)}${suffix}`;
        const courseId = rng.uuid();
        const versionId = rng.uuid();
        insert('courses', {
          ...c,
          id: courseId,
          slug,
          current_version_id: versionId,
          created_at: createdAt,
          updated_at: createdAt,
        });
        insert('course_versions', {
          ...v,
          id: versionId,
          course_id: courseId,
          title: `${String(v.title)}（${copy}）`,
          title_en: `${String(v.title_en)} (${copy})`,
        });
        const lessonMap = new Map<string, string>();
        const newLessons = lessons
          .filter((l) => l.version_id === v.id)
          .map((l) => {
            const id = rng.uuid();
            lessonMap.set(String(l.id), id);
            const row = { ...l, id, version_id: versionId, course_id: courseId };
            insert('lessons', row);
            return row;
          });
        const bankMap = new Map<string, string>();
        const newSizes = new Map<string, number>();
        for (const bank of banks.filter((b) => b.course_slug === c.slug)) {
          const id = rng.uuid();
          bankMap.set(String(bank.id), id);
          insert('question_banks', {
            ...bank,
            id,
            slug: bank.slug === null ? null : `${String(bank.slug).slice(0, 90)}${suffix}`,
            course_slug: slug,
          });
          for (const q of questions.filter((x) => x.bank_id === bank.id)) {
            insert('questions', { ...q, id: rng.uuid(), bank_id: id });
          }
          newSizes.set(id, bankSizes.get(String(bank.id)) ?? 0);
        }
        const newQuizzes = quizzes
          .filter((q) => q.course_id === c.id && bankMap.has(String(q.bank_id)))
          .map((q) => {
            const row = {
              ...q,
              id: rng.uuid(),
              slug: q.slug === null ? null : `${String(q.slug).slice(0, 90)}${suffix}`,
              bank_id: bankMap.get(String(q.bank_id)) ?? null,
              course_id: courseId,
              course_slug: slug,
              lesson_id: q.lesson_id === null ? null : (lessonMap.get(String(q.lesson_id)) ?? null),
            };
            insert('quizzes', row);
            return row;
          });
        out.push(
          info(
            { ...c, id: courseId, slug },
            { ...v, id: versionId, title: `${String(v.title)}（${copy}）` },
            newLessons,
            newQuizzes,
            newSizes,
          ),
        );
      }
    }
    return out;
  }
}
