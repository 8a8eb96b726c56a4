import type { RegularityPolicy } from './regularity.policy';

/** Pure assembly of the regularity grid from the aggregates the SQL returns; no database, easy to test. */

export type Rag = 'green' | 'amber' | 'red' | 'none';
export type Frequency = 'monthly' | 'quarterly' | 'yearly';

export interface ObligationType {
  type: string;
  frequency: Frequency;
}

/** One branch and counting month, from the meetings query. */
export interface MeetingAggregate {
  orgId: string;
  month: string;
  /** Meeting types with at least one held meeting counting for this month. */
  heldTypes: Set<string>;
  /** Evidence pieces present on the month's study day. */
  evidence: Record<string, boolean>;
  studyDayPlanned: boolean;
}

/** One branch and month, from the attendance query. */
export interface RateAggregate {
  orgId: string;
  month: string;
  liable: number;
  attended: number;
  leaveMadeUp: number;
}

export interface BranchInput {
  id: string;
  name: string;
  path: string;
  /** Names of the nodes between the report's root and the branch, e.g. `街道 / 社区`. */
  trail?: string;
}

export interface MonthCell {
  month: string;
  /** The month has ended (or its study day already happened), so it is judged. */
  due: boolean;
  held: boolean;
  obligations: Array<{ type: string; met: boolean; due: boolean }>;
  attendanceRate: number | null;
  commitmentRate: number | null;
  evidence: Array<{ key: string; present: boolean }>;
  evidenceShare: number | null;
  obligationShare: number | null;
  status: Rag;
  liable: number;
  attended: number;
  committed: number;
}

export interface BranchRow extends BranchInput {
  months: MonthCell[];
  summary: {
    monthsDue: number;
    held: number;
    green: number;
    amber: number;
    red: number;
    attendanceRate: number | null;
    status: Rag;
  };
}

const round = (n: number): number => Math.round(n * 10000) / 10000;
const ratio = (a: number, b: number): number | null => (b > 0 ? round(a / b) : null);

export function monthsOf(year: number): string[] {
  return Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`);
}

/** The months of the period (month, quarter or year) that contains `month`. */
export function periodMonths(frequency: Frequency, month: string): string[] {
  const year = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  if (frequency === 'monthly') {
    return [month];
  }
  const all = monthsOf(year);
  if (frequency === 'yearly') {
    return all;
  }
  const q = Math.floor((m - 1) / 3);
  return all.slice(q * 3, q * 3 + 3);
}

/** A quarterly or yearly obligation is judged in the last month of its period; a monthly one every month. */
export function closesPeriod(frequency: Frequency, month: string): boolean {
  const m = Number(month.slice(5, 7));
  return frequency === 'monthly' || (frequency === 'quarterly' ? m % 3 === 0 : m === 12);
}

export function rateCell(
  cell: Pick<MonthCell, 'due' | 'held' | 'obligationShare' | 'attendanceRate' | 'evidenceShare'>,
  rules: RegularityPolicy['cell'],
): Rag {
  if (!cell.due) {
    return 'none';
  }
  if (rules.studyDayRequired && !cell.held) {
    return 'red';
  }
  const passes = (band: RegularityPolicy['cell']['green']): boolean =>
    (cell.obligationShare ?? 0) >= band.minObligationShare &&
    (cell.attendanceRate === null || cell.attendanceRate >= band.minAttendanceRate) &&
    (cell.evidenceShare ?? 0) >= band.minEvidenceShare;
  if (passes(rules.green)) {
    return 'green';
  }
  return passes(rules.amber) ? 'amber' : 'red';
}

/** Colour of a group of judged branch-months (a branch's year, a community's month...). */
export function rateGroup(
  counts: { green: number; amber: number; red: number },
  rules: RegularityPolicy['rollup'],
): Rag {
  const due = counts.green + counts.amber + counts.red;
  if (due === 0) {
    return 'none';
  }
  const red = counts.red / due;
  if (counts.green / due >= rules.green.minGreenShare && red <= rules.green.maxRedShare) {
    return 'green';
  }
  return red <= rules.amber.maxRedShare ? 'amber' : 'red';
}

export function buildBranchRows(input: {
  year: number;
  /** YYYY-MM of today in the organisation's zone. */
  currentMonth: string;
  types: ObligationType[];
  evidencePieces: string[];
  branches: BranchInput[];
  meetings: MeetingAggregate[];
  rates: RateAggregate[];
  policy: RegularityPolicy;
}): BranchRow[] {
  const meetings = new Map(input.meetings.map((m) => [`${m.orgId}|${m.month}`, m]));
  const rates = new Map(input.rates.map((r) => [`${r.orgId}|${r.month}`, r]));
  const months = monthsOf(input.year);
  return input.branches.map((b) => {
    const heldIn = (type: string, list: string[]): boolean =>
      list.some((m) => meetings.get(`${b.id}|${m}`)?.heldTypes.has(type) ?? false);
    const cells = months.map((month): MonthCell => {
      const meeting = meetings.get(`${b.id}|${month}`);
      const rate = rates.get(`${b.id}|${month}`);
      const held = meeting?.heldTypes.has('study_day') ?? false;
      const due = month < input.currentMonth || (month === input.currentMonth && held);
      const obligations = input.types.map((t) => ({
        type: t.type,
        met: heldIn(
          t.type,
          periodMonths(t.frequency, month).filter((m) => m <= month),
        ),
        due: due && closesPeriod(t.frequency, month),
      }));
      const judged = obligations.filter((o) => o.due);
      const evidence = input.evidencePieces.map((key) => ({
        key,
        present: meeting?.evidence[key] ?? false,
      }));
      const liable = rate?.liable ?? 0;
      const attended = rate?.attended ?? 0;
      const committed = attended + (rate?.leaveMadeUp ?? 0);
      const cell = {
        month,
        due,
        held,
        obligations,
        attendanceRate: ratio(attended, liable),
        commitmentRate: ratio(committed, liable),
        evidence,
        evidenceShare:
          meeting?.studyDayPlanned && evidence.length > 0
            ? ratio(evidence.filter((e) => e.present).length, evidence.length)
            : due
              ? 0
              : null,
        obligationShare:
          judged.length > 0 ? ratio(judged.filter((o) => o.met).length, judged.length) : null,
        liable,
        attended,
        committed,
      };
      return { ...cell, status: rateCell(cell, input.policy.cell) };
    });
    const count = (s: Rag): number => cells.filter((c) => c.status === s).length;
    const counts = { green: count('green'), amber: count('amber'), red: count('red') };
    const liable = cells.reduce((s, c) => s + c.liable, 0);
    return {
      ...b,
      months: cells,
      summary: {
        monthsDue: cells.filter((c) => c.due).length,
        held: cells.filter((c) => c.due && c.held).length,
        ...counts,
        attendanceRate: ratio(
          cells.reduce((s, c) => s + c.attended, 0),
          liable,
        ),
        status: rateGroup(counts, input.policy.rollup),
      },
    };
  });
}

export interface RollupNode {
  id: string;
  name: string;
  kind: string;
  path: string;
  depth: number;
}

export interface RollupRow extends RollupNode {
  branches: number;
  months: Array<{
    month: string;
    due: number;
    held: number;
    green: number;
    amber: number;
    red: number;
    attendanceRate: number | null;
    commitmentRate: number | null;
    status: Rag;
  }>;
  summary: {
    due: number;
    held: number;
    green: number;
    amber: number;
    red: number;
    heldShare: number | null;
    attendanceRate: number | null;
    status: Rag;
  };
}

/** Street > community (and any node above branches): branch-months counted by colour, rates pooled. */
export function buildRollup(
  nodes: RollupNode[],
  rows: BranchRow[],
  rules: RegularityPolicy['rollup'],
): RollupRow[] {
  return nodes.map((n) => {
    const inside = rows.filter((r) => r.path.startsWith(n.path));
    const months = (inside[0]?.months ?? []).map((_, i) => {
      const cells = inside.map((r) => r.months[i]);
      const c = (s: Rag): number => cells.filter((x) => x.status === s).length;
      const counts = { green: c('green'), amber: c('amber'), red: c('red') };
      const liable = cells.reduce((s, x) => s + x.liable, 0);
      return {
        month: cells[0]?.month ?? '',
        due: cells.filter((x) => x.due).length,
        held: cells.filter((x) => x.due && x.held).length,
        ...counts,
        attendanceRate: ratio(
          cells.reduce((s, x) => s + x.attended, 0),
          liable,
        ),
        commitmentRate: ratio(
          cells.reduce((s, x) => s + x.committed, 0),
          liable,
        ),
        status: rateGroup(counts, rules),
      };
    });
    const sum = (k: 'due' | 'held' | 'green' | 'amber' | 'red'): number =>
      months.reduce((s, m) => s + m[k], 0);
    const counts = { green: sum('green'), amber: sum('amber'), red: sum('red') };
    const liable = inside.reduce((s, r) => s + r.months.reduce((t, m) => t + m.liable, 0), 0);
    const attended = inside.reduce((s, r) => s + r.months.reduce((t, m) => t + m.attended, 0), 0);
    return {
      ...n,
      branches: inside.length,
      months,
      summary: {
        due: sum('due'),
        held: sum('held'),
        ...counts,
        heldShare: ratio(sum('held'), sum('due')),
        attendanceRate: ratio(attended, liable),
        status: rateGroup(counts, rules),
      },
    };
  });
}
