import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { SqliteReaders } from '../database/sqlite-readers';
import { Actor } from '../common/access/actor';
import { OrgNodeEntity } from '../organizations/org-node.entity';
import { PolicyService } from '../policy/policy.service';
import type { BranchRhythmPolicy } from '../study-days/branch-rhythm.policy';
import {
  BranchRow,
  buildBranchRows,
  buildRollup,
  Frequency,
  MeetingAggregate,
  RateAggregate,
  RollupRow,
} from './regularity-grid';
import { RegularityPolicy } from './regularity.policy';
import { daysBetween, num, packRows, under, unpackRows } from './report-sql';
import { ReportScopeService } from './report-scope.service';
import { ReportsException } from './reports.exception';

export interface RegularityReport {
  year: number;
  org: { id: string; name: string; kind: string; path: string };
  currentMonth: string;
  types: Array<{ type: string; label: string; labelEn: string; frequency: Frequency }>;
  evidencePieces: string[];
  branches: BranchRow[];
  rollup: RollupRow[];
  rules: { source: string; effectiveFrom: string };
}

/** Statuses that count as attending (the attendance engine's ATTENDED list). */
const ATTENDED = ['present', 'late', 'proxy', 'home_visit'];

/**
 * Branch x month regularity of a subtree as a read model: two grouped queries (meetings, attendance) over the
 * whole subtree, whatever its size, then pure assembly. Same rules as the study-day module's evidence check:
 * a meeting is held when it has started, is not cancelled and has the evidence the rhythm policy requires.
 */
@Injectable()
export class RegularityService {
  /**
   * Reports being computed, by subtree, year and day: a district's officers opening the same report in the same
   * moment share one computation (and one copy in memory) instead of each running the city-wide queries. Nothing
   * is kept once it is answered, so no report is ever stale.
   */
  private readonly inFlight = new Map<string, Promise<RegularityReport>>();

  constructor(
    private readonly ds: DataSource,
    private readonly readers: SqliteReaders,
    private readonly policy: PolicyService,
    private readonly scope: ReportScopeService,
  ) {}

  async report(
    actor: Actor,
    orgId: string | undefined,
    year: number | undefined,
    now = new Date(),
  ): Promise<RegularityReport> {
    const root = await this.scope.resolve(actor, orgId);
    return this.forNode(root, year, now);
  }

  /** Without a scope check: for callers that already checked (home blocks). */
  forNode(
    root: OrgNodeEntity,
    year: number | undefined,
    now = new Date(),
  ): Promise<RegularityReport> {
    const key = `${root.id}|${year ?? ''}|${now.toISOString().slice(0, 16)}`;
    const running = this.inFlight.get(key);
    if (running) {
      return running;
    }
    // The computing starts on the event loop's next turn and is forgotten a turn after it ends, so that requests
    // already sent while it ran join it: with better-sqlite3 every statement runs synchronously, the loop read no
    // request during a report, and each of 50 concurrent city reports computed its own (617-641 ms of CPU each).
    const work = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.compute(root, year, now))
      .finally(() => setImmediate(() => this.inFlight.delete(key)));
    this.inFlight.set(key, work);
    return work;
  }

  private async compute(
    root: OrgNodeEntity,
    year: number | undefined,
    now: Date,
  ): Promise<RegularityReport> {
    const today = DateTime.fromJSDate(now, { zone: root.zone });
    const y = year ?? today.year;
    if (!Number.isInteger(y) || y < 2000 || y > today.year + 1) {
      throw new ReportsException('REPORT_YEAR_INVALID', { max: today.year + 1 }, 'year');
    }
    const [rhythm, rules] = await Promise.all([
      this.policy.get<BranchRhythmPolicy>('branch-rhythm'),
      this.policy.get<RegularityPolicy>('regularity'),
    ]);
    const nodes = await this.scope.subtree(root);
    const branches = nodes.filter((n) => n.kind === 'branch');
    const names = new Map(nodes.map((n) => [n.id, n.name]));
    const types = rhythm.meetingTypes.map((t) => ({
      type: t.type,
      label: t.label,
      labelEn: t.labelEn,
      frequency: t.frequency,
    }));
    const [meetings, rates] =
      branches.length === 0
        ? [[], []]
        : await Promise.all([this.meetings(root, y, now, rhythm), this.rates(root, y)]);
    const rows = buildBranchRows({
      year: y,
      currentMonth: today.toFormat('yyyy-MM'),
      types,
      evidencePieces: rhythm.evidence.pieces,
      branches: branches.map((b) => ({
        id: b.id,
        name: b.name,
        path: b.path,
        trail: trail(b, root, names),
      })),
      meetings,
      rates,
      policy: rules,
    });
    const rollupNodes = nodes
      .filter((n) => n.kind !== 'branch' && n.kind !== 'group')
      .map((n) => ({
        id: n.id,
        name: n.name,
        kind: n.kind,
        path: n.path,
        depth: n.depth - root.depth,
      }));
    return {
      year: y,
      org: { id: root.id, name: root.name, kind: root.kind, path: root.path },
      currentMonth: today.toFormat('yyyy-MM'),
      types,
      evidencePieces: rhythm.evidence.pieces,
      branches: rows,
      rollup: buildRollup(rollupNodes, rows, rules.rollup),
      rules: { source: rules.cell.source, effectiveFrom: rules.cell.effectiveFrom },
    };
  }

  /**
   * One row per branch and counting month: which meeting types had a held meeting, and the evidence of the
   * month's study day. A meeting moved within the holiday shift counts for the month of its rule date.
   */
  private async meetings(
    root: OrgNodeEntity,
    year: number,
    now: Date,
    rhythm: BranchRhythmPolicy,
  ): Promise<MeetingAggregate[]> {
    const pieces = rhythm.evidence.pieces;
    const heldWhen = [
      'm.past = 1',
      ...rhythm.evidence.requiredForHeld.map((p) => `m.p_${p.toLowerCase()} = 1`),
    ].join(' AND ');
    const params: Record<string, unknown> = {
      root: under(root.path),
      from: `${year - 1}-12-01`,
      to: `${year + 1}-01-31`,
      fromMonth: `${year}-01`,
      toMonth: `${year}-12`,
      now: now.toISOString(),
      shift: rhythm.holidayShift.maxDays,
      sd: '%"study_day"%',
      // The ticked paper pieces live in a JSON text column written by JSON.stringify (no spaces).
      evplan: '%"plan":true%',
      evmaterials: '%"materials":true%',
      evsign: '%"signInSheet":true%',
    };
    // Flags come back packed in two integers (bit i = type i / piece i): the sqlite3 driver builds each row's
    // object property by property, and 15 little columns of 22,000 rows cost ~100 ms more than 4 (measured on
    // the benchmark city). Sums of distinct powers of two, so the SQL is the same on PostgreSQL.
    const heldBits = rhythm.meetingTypes.map((t, i) => {
      params[`t${i}`] = `%"${t.type}"%`;
      return `MAX(CASE WHEN ${heldWhen} AND m.meeting_types LIKE :t${i} THEN ${2 ** i} ELSE 0 END)`;
    });
    const evidenceBits = pieces.map(
      (p, i) =>
        `MAX(CASE WHEN m.meeting_types LIKE :sd AND m.p_${p.toLowerCase()} = 1 THEN ${2 ** i} ELSE 0 END)`,
    );
    // The per-day flags are computed once per study day (MATERIALIZED): inlined, the sign-in-sheet EXISTS ran
    // once per output column, ~8 times per day.
    const sql = `
      WITH m AS MATERIALIZED (
        SELECT d.org_id AS org_id, d.meeting_types AS meeting_types,
          substr(CASE WHEN ${daysBetween(this.ds, 'd.local_date', 'd.original_date')} <= :shift THEN d.original_date ELSE d.local_date END, 1, 7) AS month,
          CASE WHEN d.starts_at <= :now THEN 1 ELSE 0 END AS past,
          CASE WHEN d.evidence LIKE :evplan OR trim(d.agenda) <> '' THEN 1 ELSE 0 END AS p_plan,
          CASE WHEN d.evidence LIKE :evmaterials OR d.lesson_ids <> '[]' THEN 1 ELSE 0 END AS p_materials,
          CASE WHEN d.evidence LIKE :evsign
            OR EXISTS (SELECT 1 FROM attendance_records r WHERE r.session_id = d.id) THEN 1 ELSE 0 END AS p_signinsheet,
          CASE WHEN d.minutes IS NOT NULL AND trim(d.minutes) <> '' THEN 1 ELSE 0 END AS p_minutes,
          CASE WHEN EXISTS (SELECT 1 FROM study_day_photos ph WHERE ph.study_day_id = d.id) THEN 1 ELSE 0 END AS p_photos
        FROM study_days d
        INNER JOIN org_nodes o ON o.id = d.org_id
        WHERE o.path LIKE :root AND o.kind = 'branch'
          AND d.local_date >= :from AND d.local_date <= :to AND d.status <> 'cancelled'
      )
      SELECT m.org_id AS org_id, m.month AS month,
        MAX(CASE WHEN m.meeting_types LIKE :sd THEN 1 ELSE 0 END) AS sd_planned,
        ${heldBits.join(' + ')} AS held_bits,
        ${evidenceBits.join(' + ')} AS evidence_bits
      FROM m
      WHERE m.month >= :fromMonth AND m.month <= :toMonth
      GROUP BY m.org_id, m.month`;
    const rows = await this.readers.query(
      packRows(this.ds, sql, 'org_id', ['month', 'sd_planned', 'held_bits', 'evidence_bits']),
      params,
    );
    const bit = (bits: number, i: number): boolean => Math.floor(bits / 2 ** i) % 2 === 1;
    const out: MeetingAggregate[] = [];
    for (const [orgId, [month, planned, heldBits, evidenceBits]] of unpackRows(rows, 'org_id')) {
      const held = num(heldBits);
      const evidence = num(evidenceBits);
      out.push({
        orgId,
        month,
        studyDayPlanned: num(planned) === 1,
        heldByType: rhythm.meetingTypes.map((_, i) => bit(held, i)),
        evidenceByPiece: pieces.map((_, i) => bit(evidence, i)),
      });
    }
    return out;
  }

  /**
   * Attendance and commitment per branch and session day, over closed study-day sessions (the engine's
   * formulas); the grid sums a month's days. Grouped by the columns of the (org_id, local_date) index rather than
   * by month, SQLite groups while it walks the index instead of sorting 220,000 joined records of a city's year
   * (290 -> 175 ms on the benchmark city).
   */
  private async rates(root: OrgNodeEntity, year: number): Promise<RateAggregate[]> {
    const sql = `
      SELECT s.org_id AS org_id, s.local_date AS local_date, COUNT(*) AS liable,
        SUM(CASE WHEN r.status IN (:...attended) THEN 1 ELSE 0 END) AS attended,
        SUM(CASE WHEN r.status = 'leave' AND NOT EXISTS (
          SELECT 1 FROM make_up_assignments mu
          WHERE mu.session_id = r.session_id AND mu.user_id = r.user_id AND mu.done_at IS NULL
        ) THEN 1 ELSE 0 END) AS leave_made_up
      FROM attendance_sessions s
      INNER JOIN org_nodes o ON o.id = s.org_id
      INNER JOIN attendance_records r ON r.session_id = s.id
      WHERE o.path LIKE :root AND o.kind = 'branch' AND s.session_type = 'study_day'
        AND s.closed_at IS NOT NULL AND s.cancelled_at IS NULL
        AND s.local_date >= :from AND s.local_date <= :to
      GROUP BY s.org_id, s.local_date`;
    const rows = await this.readers.query(
      packRows(this.ds, sql, 'org_id', ['local_date', 'liable', 'attended', 'leave_made_up']),
      { root: under(root.path), attended: ATTENDED, from: `${year}-01-01`, to: `${year}-12-31` },
    );
    const out: RateAggregate[] = [];
    for (const [orgId, [day, liable, attended, leaveMadeUp]] of unpackRows(rows, 'org_id')) {
      out.push({
        orgId,
        month: day.slice(0, 7),
        liable: num(liable),
        attended: num(attended),
        leaveMadeUp: num(leaveMadeUp),
      });
    }
    return out;
  }
}

function trail(node: OrgNodeEntity, root: OrgNodeEntity, names: Map<string, string>): string {
  return node.path
    .slice(root.path.length)
    .split('/')
    .filter((id) => id !== '' && id !== node.id)
    .map((id) => names.get(id) ?? '')
    .join(' / ');
}
