import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { SqliteReaders } from '../database/sqlite-readers';
import { Actor } from '../common/access/actor';
import { ActivityType } from '../learning/ledger-entry.entity';
import { LedgerService } from '../learning/ledger.service';
import {
  CreditedEntry,
  evaluateRequirements,
  periodOf,
  PersonFacts,
  RequirementStatus,
} from '../learning/study-hours';
import { OrgNodeEntity } from '../organizations/org-node.entity';
import { PolicyService } from '../policy/policy.service';
import {
  asOfYear,
  judgePerson,
  LedgerGroup,
  yearElapsed,
  yearlyRequirements,
} from './hours-report';
import { RegularityPolicy } from './regularity.policy';
import { num, Row, str, under } from './report-sql';
import { ReportScopeService } from './report-scope.service';
import { ReportsException } from './reports.exception';

const round2 = (n: number): number => Math.round(n * 100) / 100;
const rate = (a: number, b: number): number | null =>
  b > 0 ? Math.round((a / b) * 10000) / 10000 : null;
const bool = (v: unknown): boolean =>
  v === true || v === 1 || v === '1' || v === 't' || v === 'true';

export interface NodeRef {
  id: string;
  name: string;
  kind: string;
}

export interface CompletionReport {
  org: NodeRef;
  course: { slug: string; title: string; titleEn: string } | null;
  courses: Array<{
    slug: string;
    title: string;
    titleEn: string;
    trainingKind: string;
    hours: number;
    enrolled: number;
    completed: number;
    completionRate: number | null;
  }>;
  byKind: Array<{
    trainingKind: string;
    enrolled: number;
    completed: number;
    completionRate: number | null;
  }>;
  nodes: Array<NodeRef & { enrolled: number; completed: number; completionRate: number | null }>;
  people: Array<{
    userId: string;
    displayName: string;
    username: string;
    orgName: string;
    courseSlug: string;
    courseTitle: string;
    trainingKind: string;
    enrolledAt: string;
    completedAt: string | null;
    hours: number;
  }>;
  /** More enrolments than the page lists (the download has them all). */
  truncated: boolean;
}

export interface HoursReport {
  org: NodeRef;
  year: number;
  asOf: string;
  requirements: Array<{
    key: string;
    title: string;
    titleEn: string;
    source: string;
    effectiveFrom: string;
  }>;
  people: Array<{
    userId: string;
    displayName: string;
    username: string;
    orgId: string;
    orgName: string;
    total: number;
    requirements: Array<{ key: string; required: number; done: number; gap: number }>;
    met: boolean;
    behind: boolean;
    gap: number;
  }>;
  nodes: Array<
    NodeRef & {
      people: number;
      met: number;
      behind: number;
      averageHours: number;
      totalGap: number;
    }
  >;
  months: Array<{ month: string; hours: number }>;
  totals: { people: number; met: number; behind: number; hours: number };
}

export interface ContinuingReport {
  org: NodeRef;
  windowMonths: number;
  source: string;
  people: Array<{
    userId: string;
    displayName: string;
    username: string;
    orgName: string;
    level: string;
    periodStart: string;
    periodEnd: string;
    required: number;
    done: number;
    gap: number;
    monthsLeft: number;
  }>;
}

export interface ItemsReport {
  org: NodeRef;
  quizzes: Array<{
    quizId: string;
    title: string;
    titleEn: string | null;
    courseSlug: string;
    attempts: number;
    learners: number;
    passRate: number | null;
    questions: Array<{
      questionId: string;
      text: string;
      type: string;
      answered: number;
      correct: number;
      shareCorrect: number | null;
    }>;
  }>;
}

/** Questions listed per quiz: the ones most people miss. */
const ITEMS_PER_QUIZ = 10;
const PAGE_PEOPLE = 300;

/**
 * Learning read models of a subtree: course completion, hours against the yearly requirements, continuing
 * education near the end of registration periods, and quiz items missed most. Grouped SQL, never a loop of queries
 * per person; the hour rules are the learning module's own (`evaluateRequirements`).
 */
@Injectable()
export class LearningReportsService {
  constructor(
    private readonly readers: SqliteReaders,
    private readonly scope: ReportScopeService,
    private readonly ledger: LedgerService,
    private readonly policy: PolicyService,
  ) {}

  async completion(
    actor: Actor,
    orgId: string | undefined,
    courseSlug: string | undefined,
    opts: { all?: boolean } = {},
  ): Promise<CompletionReport> {
    const root = await this.scope.resolve(actor, orgId);
    const params: Record<string, unknown> = { root: under(root.path), active: true };
    let course: CompletionReport['course'] = null;
    if (courseSlug) {
      const found = await this.readers.query(
        `SELECT c.slug AS slug, v.title AS title, v.title_en AS title_en FROM courses c
         LEFT JOIN course_versions v ON v.id = c.current_version_id WHERE c.slug = :slug`,
        { slug: courseSlug },
      );
      if (!found[0]) {
        throw new ReportsException('REPORT_COURSE_NOT_FOUND');
      }
      course = {
        slug: str(found[0].slug),
        title: str(found[0].title),
        titleEn: str(found[0].title_en),
      };
      params.slug = courseSlug;
    }
    const courseFilter = courseSlug ? 'AND c.slug = :slug' : '';
    const base = `FROM enrolments e
      INNER JOIN users u ON u.id = e.user_id
      INNER JOIN org_nodes o ON o.id = u.org_id
      INNER JOIN courses c ON c.id = e.course_id
      LEFT JOIN course_versions v ON v.id = c.current_version_id
      WHERE o.path LIKE :root AND u.active = :active ${courseFilter}`;
    const [perCourse, perOrg, people] = await Promise.all([
      this.readers.query(
        `SELECT c.slug AS slug, c.training_kind AS training_kind, v.title AS title, v.title_en AS title_en, v.hours AS hours,
           COUNT(*) AS enrolled, SUM(CASE WHEN e.completed_at IS NOT NULL THEN 1 ELSE 0 END) AS completed
         ${base}
         GROUP BY c.slug, c.training_kind, v.title, v.title_en, v.hours
         ORDER BY c.training_kind, c.slug`,
        params,
      ),
      this.readers.query(
        `SELECT u.org_id AS org_id, COUNT(*) AS enrolled, SUM(CASE WHEN e.completed_at IS NOT NULL THEN 1 ELSE 0 END) AS completed
         ${base} GROUP BY u.org_id`,
        params,
      ),
      this.readers.query(
        `SELECT u.id AS user_id, u.display_name AS display_name, u.username AS username, o.name AS org_name,
           c.slug AS slug, v.title AS title, c.training_kind AS training_kind, e.enrolled_at AS enrolled_at,
           e.completed_at AS completed_at,
           (SELECT SUM(l.hours) FROM study_hour_ledger l WHERE l.user_id = e.user_id AND l.course_slug = c.slug) AS hours
         ${base}
         ORDER BY o.path, u.username, c.slug
         ${opts.all ? '' : `LIMIT ${PAGE_PEOPLE + 1}`}`,
        params,
      ),
    ]);
    const courses = perCourse.map((r) => ({
      slug: str(r.slug),
      title: str(r.title),
      titleEn: str(r.title_en),
      trainingKind: str(r.training_kind),
      hours: num(r.hours),
      enrolled: num(r.enrolled),
      completed: num(r.completed),
      completionRate: rate(num(r.completed), num(r.enrolled)),
    }));
    const kinds = new Map<string, { enrolled: number; completed: number }>();
    for (const c of courses) {
      const k = kinds.get(c.trainingKind) ?? { enrolled: 0, completed: 0 };
      k.enrolled += c.enrolled;
      k.completed += c.completed;
      kinds.set(c.trainingKind, k);
    }
    const nodes = await this.childTotals(
      root,
      perOrg,
      (r) => ({ enrolled: num(r.enrolled), completed: num(r.completed) }),
      { enrolled: 0, completed: 0 },
    );
    return {
      org: ref(root),
      course,
      courses,
      byKind: [...kinds].map(([trainingKind, k]) => ({
        trainingKind,
        ...k,
        completionRate: rate(k.completed, k.enrolled),
      })),
      nodes: nodes.map((n) => ({ ...n, completionRate: rate(n.completed, n.enrolled) })),
      people: people.slice(0, opts.all ? undefined : PAGE_PEOPLE).map((r) => ({
        userId: str(r.user_id),
        displayName: str(r.display_name),
        username: str(r.username),
        orgName: str(r.org_name),
        courseSlug: str(r.slug),
        courseTitle: str(r.title),
        trainingKind: str(r.training_kind),
        enrolledAt: str(r.enrolled_at),
        completedAt: r.completed_at ? str(r.completed_at) : null,
        hours: round2(num(r.hours)),
      })),
      truncated: !opts.all && people.length > PAGE_PEOPLE,
    };
  }

  async hours(
    actor: Actor,
    orgId: string | undefined,
    year: number | undefined,
    now = new Date(),
  ): Promise<HoursReport> {
    const root = await this.scope.resolve(actor, orgId);
    return this.hoursFor(root, year, now);
  }

  /** Without a scope check: for callers that already checked (home blocks). */
  async hoursFor(
    root: OrgNodeEntity,
    year: number | undefined,
    now = new Date(),
  ): Promise<HoursReport> {
    const policy = await this.ledger.rules();
    const zone = policy.timeZone || 'Asia/Shanghai';
    const thisYear = DateTime.fromJSDate(now, { zone }).year;
    const y = year ?? thisYear;
    if (!Number.isInteger(y) || y < 2000 || y > thisYear) {
      throw new ReportsException('REPORT_YEAR_INVALID', { max: thisYear }, 'year');
    }
    const asOf = asOfYear(y, now, zone);
    const params = { root: under(root.path), active: true, year: y };
    const [people, secretaries, groups, hourly] = await Promise.all([
      this.people(params),
      this.secretaries(params),
      this.readers.query(
        `SELECT l.user_id AS user_id, l.activity_type AS activity_type, l.training_kind AS training_kind,
           l.basis_kind AS basis_kind, l.basis_value AS basis_value, COUNT(*) AS n, SUM(l.hours) AS hours
         FROM study_hour_ledger l
         INNER JOIN users u ON u.id = l.user_id
         INNER JOIN org_nodes o ON o.id = u.org_id
         WHERE o.path LIKE :root AND u.active = :active AND l.year = :year
         GROUP BY l.user_id, l.activity_type, l.training_kind, l.basis_kind, l.basis_value`,
        params,
      ),
      // Hour buckets in UTC, turned into local months below (the ledger's instants are UTC text).
      this.readers.query(
        `SELECT substr(l.occurred_at, 1, 13) AS hour, SUM(l.hours) AS hours
         FROM study_hour_ledger l
         INNER JOIN users u ON u.id = l.user_id
         INNER JOIN org_nodes o ON o.id = u.org_id
         WHERE o.path LIKE :root AND u.active = :active AND l.year = :year
         GROUP BY substr(l.occurred_at, 1, 13)`,
        params,
      ),
    ]);
    const byUser = new Map<string, LedgerGroup[]>();
    const totals = new Map<string, number>();
    for (const g of groups) {
      const userId = str(g.user_id);
      byUser.set(userId, [
        ...(byUser.get(userId) ?? []),
        {
          userId,
          activityType: str(g.activity_type) as ActivityType,
          trainingKind: str(g.training_kind),
          basisKind: str(g.basis_kind) as LedgerGroup['basisKind'],
          basisValue: num(g.basis_value),
          count: num(g.n),
          occurredAt: asOf,
        },
      ]);
      totals.set(userId, (totals.get(userId) ?? 0) + num(g.hours));
    }
    const elapsed = yearElapsed(asOf, zone);
    const rows = people.map((p) => {
      const facts = factsOf(p, secretaries.has(str(p.id)));
      const judged = judgePerson(
        yearlyRequirements(policy, facts, byUser.get(str(p.id)) ?? [], asOf),
        elapsed,
      );
      return {
        userId: str(p.id),
        displayName: str(p.display_name),
        username: str(p.username),
        orgId: str(p.org_id),
        orgName: str(p.org_name),
        total: round2(totals.get(str(p.id)) ?? 0),
        requirements: judged.requirements.map((r) => ({
          key: r.key,
          required: r.required,
          done: r.done,
          gap: r.gap,
        })),
        met: judged.met,
        behind: judged.behind,
        gap: judged.gap,
      };
    });
    const byOrg = new Map<string, typeof rows>();
    for (const r of rows) {
      byOrg.set(r.orgId, [...(byOrg.get(r.orgId) ?? []), r]);
    }
    const nodes = await this.childTotals(
      root,
      [...byOrg].map(([org_id, list]) => ({ org_id, list })),
      (r) => {
        const list = r.list as typeof rows;
        return {
          people: list.length,
          met: list.filter((x) => x.met).length,
          behind: list.filter((x) => x.behind).length,
          hours: list.reduce((s, x) => s + x.total, 0),
          totalGap: list.reduce((s, x) => s + x.gap, 0),
        };
      },
      { people: 0, met: 0, behind: 0, hours: 0, totalGap: 0 },
    );
    const months = new Map<string, number>();
    for (let m = 1; m <= 12; m++) {
      months.set(`${y}-${String(m).padStart(2, '0')}`, 0);
    }
    for (const h of hourly) {
      const month = DateTime.fromISO(`${str(h.hour)}:00:00Z`)
        .setZone(zone)
        .toFormat('yyyy-MM');
      if (months.has(month)) {
        months.set(month, (months.get(month) ?? 0) + num(h.hours));
      }
    }
    const reqs = policy.requirements.filter((r) => r.period === 'calendar_year');
    return {
      org: ref(root),
      year: y,
      asOf: asOf.toISOString(),
      requirements: reqs.map((r) => ({
        key: r.key,
        title: r.title,
        titleEn: r.titleEn,
        source: r.source,
        effectiveFrom: r.effectiveFrom,
      })),
      people: rows,
      nodes: nodes.map((n) => ({
        id: n.id,
        name: n.name,
        kind: n.kind,
        people: n.people,
        met: n.met,
        behind: n.behind,
        averageHours: n.people > 0 ? round2(n.hours / n.people) : 0,
        totalGap: round2(n.totalGap),
      })),
      months: [...months].map(([month, hours]) => ({ month, hours: round2(hours) })),
      totals: {
        people: rows.length,
        met: rows.filter((r) => r.met).length,
        behind: rows.filter((r) => r.behind).length,
        hours: round2(rows.reduce((s, r) => s + r.total, 0)),
      },
    };
  }

  /** Registered social workers whose registration period ends within the policy's window, with their hours. */
  async continuing(
    actor: Actor,
    orgId: string | undefined,
    now = new Date(),
  ): Promise<ContinuingReport> {
    const root = await this.scope.resolve(actor, orgId);
    const [policy, rules] = await Promise.all([
      this.ledger.rules(),
      this.policy.get<RegularityPolicy>('regularity'),
    ]);
    const zone = policy.timeZone || 'Asia/Shanghai';
    const requirement = policy.requirements.find((r) => r.appliesTo === 'registered_social_worker');
    const windowMonths = rules.continuingEducation.windowMonths;
    const base = { org: ref(root), windowMonths, source: requirement?.source ?? '' };
    if (!requirement) {
      return { ...base, people: [] };
    }
    const registered = await this.readers.query(
      `SELECT u.id AS id, u.display_name AS display_name, u.username AS username, u.org_id AS org_id, o.name AS org_name,
         u.party_member AS party_member, u.branch_committee AS branch_committee,
         u.qualification_level AS qualification_level, u.registration_start AS registration_start
       FROM users u INNER JOIN org_nodes o ON o.id = u.org_id
       WHERE o.path LIKE :root AND u.active = :active AND u.qualification_level <> 'none' AND u.registration_start IS NOT NULL
       ORDER BY o.path, u.username`,
      { root: under(root.path), active: true },
    );
    const limit = DateTime.fromJSDate(now, { zone }).plus({ months: windowMonths });
    const due = registered
      .map((p) => ({ p, facts: factsOf(p, false) }))
      .map((x) => ({ ...x, period: periodOf(requirement, x.facts, now, zone) }))
      .filter((x) => x.period.end <= limit);
    if (due.length === 0) {
      return { ...base, people: [] };
    }
    const earliest = due.reduce(
      (min, x) => (x.period.start < min ? x.period.start : min),
      due[0]?.period.start ?? limit,
    );
    const entries = new Map<string, CreditedEntry[]>();
    const ids = due.map((x) => str(x.p.id));
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.readers.query(
        `SELECT l.user_id AS user_id, l.activity_type AS activity_type, l.training_kind AS training_kind,
           l.basis_kind AS basis_kind, l.basis_value AS basis_value, l.occurred_at AS occurred_at
         FROM study_hour_ledger l WHERE l.user_id IN (:...ids) AND l.occurred_at >= :from`,
        { ids: ids.slice(i, i + 500), from: earliest.toUTC().toISO() },
      );
      for (const r of rows) {
        const list = entries.get(str(r.user_id)) ?? [];
        list.push({
          activityType: str(r.activity_type) as ActivityType,
          trainingKind: str(r.training_kind),
          basisKind: str(r.basis_kind) as CreditedEntry['basisKind'],
          basisValue: num(r.basis_value),
          occurredAt: new Date(str(r.occurred_at)),
        });
        entries.set(str(r.user_id), list);
      }
    }
    const only = { ...policy, requirements: [requirement] };
    const people = due.flatMap(({ p, facts, period }) => {
      const status: RequirementStatus | undefined = evaluateRequirements(
        only,
        facts,
        entries.get(str(p.id)) ?? [],
        now,
      )[0];
      if (!status) {
        return [];
      }
      return [
        {
          userId: str(p.id),
          displayName: str(p.display_name),
          username: str(p.username),
          orgName: str(p.org_name),
          level: str(p.qualification_level),
          periodStart: status.periodStart,
          periodEnd: status.periodEnd,
          required: status.required,
          done: status.done,
          gap: status.gap,
          monthsLeft: Math.max(
            0,
            Math.floor(period.end.diff(DateTime.fromJSDate(now, { zone }), 'months').months),
          ),
        },
      ];
    });
    people.sort((a, b) => a.periodEnd.localeCompare(b.periodEnd) || b.gap - a.gap);
    return { ...base, people };
  }

  /**
   * Which questions people of the subtree miss most, per quiz. The assessment module's ItemAnalysisService
   * answers per quiz for a trainer's own learners; a secretary needs every quiz for the people of a subtree,
   * so this is one grouped query over submitted attempts.
   */
  async items(
    actor: Actor,
    orgId: string | undefined,
    courseSlug: string | undefined,
  ): Promise<ItemsReport> {
    const root = await this.scope.resolve(actor, orgId);
    const params: Record<string, unknown> = { root: under(root.path), submitted: 'submitted' };
    const courseFilter = courseSlug ? 'AND q.course_slug = :slug' : '';
    if (courseSlug) {
      params.slug = courseSlug;
    }
    const [quizzes, questions] = await Promise.all([
      this.readers.query(
        `SELECT q.id AS quiz_id, q.title AS title, q.title_en AS title_en, q.course_slug AS course_slug,
           COUNT(*) AS attempts, COUNT(DISTINCT a.user_id) AS learners,
           SUM(CASE WHEN a.passed THEN 1 ELSE 0 END) AS passed
         FROM quiz_attempts a
         INNER JOIN quizzes q ON q.id = a.quiz_id
         INNER JOIN users u ON u.id = a.user_id
         INNER JOIN org_nodes o ON o.id = u.org_id
         WHERE o.path LIKE :root AND a.status = :submitted ${courseFilter}
         GROUP BY q.id, q.title, q.title_en, q.course_slug
         ORDER BY q.course_slug, q.title`,
        params,
      ),
      this.readers.query(
        `SELECT a.quiz_id AS quiz_id, aq.question_id AS question_id, qs.type AS type, qs.parts AS parts,
           COUNT(*) AS answered, SUM(CASE WHEN aq.correct THEN 1 ELSE 0 END) AS correct
         FROM attempt_questions aq
         INNER JOIN quiz_attempts a ON a.id = aq.attempt_id
         INNER JOIN quizzes q ON q.id = a.quiz_id
         INNER JOIN questions qs ON qs.id = aq.question_id
         INNER JOIN users u ON u.id = a.user_id
         INNER JOIN org_nodes o ON o.id = u.org_id
         WHERE o.path LIKE :root AND a.status = :submitted ${courseFilter}
         GROUP BY a.quiz_id, aq.question_id, qs.type, qs.parts`,
        params,
      ),
    ]);
    const perQuiz = new Map<string, ItemsReport['quizzes'][number]['questions']>();
    for (const r of questions) {
      const answered = num(r.answered);
      const correct = num(r.correct);
      const list = perQuiz.get(str(r.quiz_id)) ?? [];
      list.push({
        questionId: str(r.question_id),
        text: stemText(r.parts),
        type: str(r.type),
        answered,
        correct,
        shareCorrect: rate(correct, answered),
      });
      perQuiz.set(str(r.quiz_id), list);
    }
    return {
      org: ref(root),
      quizzes: quizzes.map((q) => ({
        quizId: str(q.quiz_id),
        title: str(q.title),
        titleEn: q.title_en ? str(q.title_en) : null,
        courseSlug: str(q.course_slug),
        attempts: num(q.attempts),
        learners: num(q.learners),
        passRate: rate(num(q.passed), num(q.attempts)),
        questions: (perQuiz.get(str(q.quiz_id)) ?? [])
          .sort((a, b) => (a.shareCorrect ?? 1) - (b.shareCorrect ?? 1))
          .slice(0, ITEMS_PER_QUIZ),
      })),
    };
  }

  /** Courses that have enrolments, for the course picker. */
  async courseOptions(): Promise<Array<{ slug: string; title: string; titleEn: string }>> {
    const rows = await this.readers.query(
      `SELECT c.slug AS slug, v.title AS title, v.title_en AS title_en FROM courses c
       INNER JOIN course_versions v ON v.id = c.current_version_id
       WHERE c.status = :published ORDER BY c.training_kind, c.slug`,
      { published: 'published' },
    );
    return rows.map((r) => ({ slug: str(r.slug), title: str(r.title), titleEn: str(r.title_en) }));
  }

  private people(params: Record<string, unknown>): Promise<Row[]> {
    return this.readers.query(
      `SELECT u.id AS id, u.display_name AS display_name, u.username AS username, u.org_id AS org_id, o.name AS org_name,
         u.party_member AS party_member, u.branch_committee AS branch_committee,
         u.qualification_level AS qualification_level, u.registration_start AS registration_start
       FROM users u INNER JOIN org_nodes o ON o.id = u.org_id
       WHERE o.path LIKE :root AND u.active = :active
       ORDER BY o.path, u.username`,
      params,
    );
  }

  private async secretaries(params: Record<string, unknown>): Promise<Set<string>> {
    const rows = await this.readers.query(
      `SELECT DISTINCT ra.user_id AS user_id FROM role_assignments ra
       INNER JOIN users u ON u.id = ra.user_id
       INNER JOIN org_nodes o ON o.id = u.org_id
       WHERE o.path LIKE :root AND ra.role = 'secretary'`,
      params,
    );
    return new Set(rows.map((r) => str(r.user_id)));
  }

  /**
   * Totals per child of the root (or per branch when the root is a community...), from rows keyed by the person's
   * own org node. The tree is cached in memory, so this is no query per node.
   */
  private async childTotals<T extends Record<string, number>>(
    root: OrgNodeEntity,
    rows: Array<Record<string, unknown>>,
    pick: (r: Record<string, unknown>) => T,
    zero: T,
  ): Promise<Array<NodeRef & T>> {
    const nodes = await this.scope.subtree(root);
    const children = nodes.filter((n) => n.parentId === root.id && n.kind !== 'group');
    const targets = children.length > 0 ? children : [root];
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const out = targets.map((n) => {
      const sum: Record<string, number> = { ...zero };
      return { node: n, sum };
    });
    for (const r of rows) {
      const own = byId.get(str(r.org_id));
      const slot = own ? out.find((o) => own.path.startsWith(o.node.path)) : undefined;
      if (!slot) {
        continue;
      }
      for (const [k, v] of Object.entries(pick(r))) {
        slot.sum[k] = (slot.sum[k] ?? 0) + v;
      }
    }
    return out.map((o) => ({ ...ref(o.node), ...(o.sum as T) }));
  }
}

function ref(n: OrgNodeEntity): NodeRef {
  return { id: n.id, name: n.name, kind: n.kind };
}

function factsOf(p: Row, isSecretary: boolean): PersonFacts {
  return {
    active: true,
    partyMember: bool(p.party_member),
    branchCommittee: bool(p.branch_committee),
    isSecretary,
    qualificationLevel: str(p.qualification_level),
    registrationStart: p.registration_start ? str(p.registration_start) : null,
  };
}

function stemText(parts: unknown): string {
  try {
    const html = (JSON.parse(str(parts)) as { stemHtml?: string }).stemHtml ?? '';
    return html
      .replace(/<[^>]*>/g, ' ')
      .replace(/&nbsp;/g, ' ')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 300);
  } catch {
    return '';
  }
}
