import type { RegularityPolicy } from './regularity.policy';

/** Pure assembly of the regularity grid from the aggregates the SQL returns; no database, easy to test. */

export type Rag = 'green' | 'amber' | 'red' | 'none';
export type Frequency = 'monthly' | 'quarterly' | 'yearly';

export interface ObligationType {
  type: string;
  frequency: Frequency;
}

/**
 * One branch and counting month, from the meetings query. Flags are arrays in the order of the grid's `types`
 * and `evidencePieces` (a city is 24,000 of these: arrays, not sets or keyed objects, keep assembly cheap).
 */
export interface MeetingAggregate {
  orgId: string;
  month: string;
  /** Per meeting type: at least one held meeting of it counts for this month. */
  heldByType: boolean[];
  /** Per evidence piece: present on the month's study day. */
  evidenceByPiece: boolean[];
  studyDayPlanned: boolean;
}

/** One branch and attendance session (or month), from the attendance query; several in a month are summed. */
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
  /** Shared between cells with the same flags (see `buildBranchRows`): frozen, never to be changed. */
  obligations: ReadonlyArray<Readonly<{ type: string; met: boolean; due: boolean }>>;
  attendanceRate: number | null;
  commitmentRate: number | null;
  /**
   * Evidence piece -> present on the month's study day, e.g. `{ "plan": true, "minutes": false }`. Shared and
   * frozen like `obligations`.
   */
  evidence: Readonly<Record<string, boolean>>;
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
  // Indexed by branch, then month number (0-11): a city has 2,000 branches x 12 months, so every lookup below is
  // an array index, never a scan or a string key built per cell.
  const months = monthsOf(input.year);
  const monthIndex = new Map(months.map((m, i) => [m, i]));
  const byBranch = <T extends { orgId: string; month: string }>(
    list: T[],
    merge?: (a: T, b: T) => T,
  ) => {
    const index = new Map<string, Array<T | undefined>>();
    for (const item of list) {
      const i = monthIndex.get(item.month);
      if (i === undefined) {
        continue;
      }
      let slots = index.get(item.orgId);
      if (!slots) {
        slots = new Array<T | undefined>(12);
        index.set(item.orgId, slots);
      }
      const there = slots[i];
      slots[i] = there && merge ? merge(there, item) : item;
    }
    return index;
  };
  // The meetings query already groups by branch and month; attendance comes per session day and is summed.
  const meetings = byBranch(input.meetings);
  const rates = byBranch(input.rates, (a, b) => ({
    ...a,
    liable: a.liable + b.liable,
    attended: a.attended + b.attended,
    leaveMadeUp: a.leaveMadeUp + b.leaveMadeUp,
  }));
  const studyDay = input.types.findIndex((t) => t.type === 'study_day');
  // Which month starts each type's period: an obligation is met in month i when a meeting of its type was held
  // in any month from the period's start up to i.
  const periodStart = input.types.map((t) =>
    months.map((m, i) => i - periodMonths(t.frequency, m).indexOf(m)),
  );
  const closes = input.types.map((t) => months.map((m) => closesPeriod(t.frequency, m)));
  const pieces = input.evidencePieces;
  // A city's grid is 24,000 cells but their obligation lists and evidence sets take only a few dozen distinct
  // values, so each distinct value is built once, frozen and shared, keyed by its flags: ~300,000 fewer objects
  // to allocate and collect per report; the JSON is the same. (Keys are exact up to 26 types and 53 pieces.)
  const obligationLists = new Map<number, MonthCell['obligations']>();
  const evidenceSets = new Map<number, MonthCell['evidence']>();
  const noMeetings = new Array<MeetingAggregate | undefined>(12);
  const noRates = new Array<RateAggregate | undefined>(12);
  return input.branches.map((b) => {
    const branchMeetings = meetings.get(b.id) ?? noMeetings;
    const branchRates = rates.get(b.id) ?? noRates;
    const metSoFar = input.types.map(() => new Array<boolean>(12).fill(false));
    for (let k = 0; k < input.types.length; k++) {
      for (let i = 0; i < 12; i++) {
        const heldNow = branchMeetings[i]?.heldByType[k] ?? false;
        metSoFar[k][i] = heldNow || (i > periodStart[k][i] && metSoFar[k][i - 1]);
      }
    }
    const cells = months.map((month, i): MonthCell => {
      const meeting = branchMeetings[i];
      const rate = branchRates[i];
      const held = studyDay >= 0 && (meeting?.heldByType[studyDay] ?? false);
      const due = month < input.currentMonth || (month === input.currentMonth && held);
      let judged = 0;
      let judgedMet = 0;
      let obligationKey = 0;
      for (let k = 0; k < input.types.length; k++) {
        const met = metSoFar[k][i];
        const judgedNow = due && closes[k][i];
        judged += judgedNow ? 1 : 0;
        judgedMet += judgedNow && met ? 1 : 0;
        obligationKey = obligationKey * 4 + (met ? 2 : 0) + (judgedNow ? 1 : 0);
      }
      let obligations = obligationLists.get(obligationKey);
      if (!obligations) {
        obligations = Object.freeze(
          input.types.map((t, k) =>
            Object.freeze({ type: t.type, met: metSoFar[k][i], due: due && closes[k][i] }),
          ),
        );
        obligationLists.set(obligationKey, obligations);
      }
      let present = 0;
      let evidenceKey = 0;
      for (let k = 0; k < pieces.length; k++) {
        const there = meeting?.evidenceByPiece[k] ?? false;
        present += there ? 1 : 0;
        evidenceKey = evidenceKey * 2 + (there ? 1 : 0);
      }
      let evidence = evidenceSets.get(evidenceKey);
      if (!evidence) {
        evidence = Object.freeze(
          Object.fromEntries(pieces.map((key, k) => [key, meeting?.evidenceByPiece[k] ?? false])),
        );
        evidenceSets.set(evidenceKey, evidence);
      }
      const liable = rate?.liable ?? 0;
      const attended = rate?.attended ?? 0;
      const committed = attended + (rate?.leaveMadeUp ?? 0);
      const attendanceRate = ratio(attended, liable);
      const evidenceShare =
        meeting?.studyDayPlanned && pieces.length > 0
          ? ratio(present, pieces.length)
          : due
            ? 0
            : null;
      const obligationShare = judged > 0 ? ratio(judgedMet, judged) : null;
      return {
        month,
        due,
        held,
        obligations,
        attendanceRate,
        commitmentRate: ratio(committed, liable),
        evidence,
        evidenceShare,
        obligationShare,
        status: rateCell(
          { due, held, obligationShare, attendanceRate, evidenceShare },
          input.policy.cell,
        ),
        liable,
        attended,
        committed,
      };
    });
    const counts = { green: 0, amber: 0, red: 0 };
    let monthsDue = 0;
    let heldDue = 0;
    let liable = 0;
    let attended = 0;
    for (const c of cells) {
      if (c.status !== 'none') {
        counts[c.status]++;
      }
      monthsDue += c.due ? 1 : 0;
      heldDue += c.due && c.held ? 1 : 0;
      liable += c.liable;
      attended += c.attended;
    }
    return {
      ...b,
      months: cells,
      summary: {
        monthsDue,
        held: heldDue,
        ...counts,
        attendanceRate: ratio(attended, liable),
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

interface MonthTally {
  due: number;
  held: number;
  green: number;
  amber: number;
  red: number;
  liable: number;
  attended: number;
  committed: number;
}

const emptyTally = (): MonthTally => ({
  due: 0,
  held: 0,
  green: 0,
  amber: 0,
  red: 0,
  liable: 0,
  attended: 0,
  committed: 0,
});

/**
 * Street > community (and any node above branches): branch-months counted by colour, rates pooled. Each branch
 * row is added once to every roll-up node on its path (a materialised path lists its ancestors), so the work
 * grows with branches x depth, not branches x nodes.
 */
export function buildRollup(
  nodes: RollupNode[],
  rows: BranchRow[],
  rules: RegularityPolicy['rollup'],
): RollupRow[] {
  const tallies = new Map(
    nodes.map((n) => [n.path, { branches: 0, months: [] as MonthTally[], names: [] as string[] }]),
  );
  for (const row of rows) {
    // "/a/b/c/" -> "/a/", "/a/b/", "/a/b/c/": every prefix ending at a slash is an ancestor (or the branch).
    for (let end = row.path.indexOf('/', 1); end > 0; end = row.path.indexOf('/', end + 1)) {
      const tally = tallies.get(row.path.slice(0, end + 1));
      if (!tally) {
        continue;
      }
      tally.branches++;
      row.months.forEach((cell, i) => {
        const t = (tally.months[i] ??= emptyTally());
        tally.names[i] = cell.month;
        t.due += cell.due ? 1 : 0;
        t.held += cell.due && cell.held ? 1 : 0;
        if (cell.status !== 'none') {
          t[cell.status]++;
        }
        t.liable += cell.liable;
        t.attended += cell.attended;
        t.committed += cell.committed;
      });
    }
  }
  return nodes.map((n) => {
    const tally = tallies.get(n.path) ?? { branches: 0, months: [], names: [] };
    const months = tally.months.map((t, i) => {
      const counts = { green: t.green, amber: t.amber, red: t.red };
      return {
        month: tally.names[i] ?? '',
        due: t.due,
        held: t.held,
        ...counts,
        attendanceRate: ratio(t.attended, t.liable),
        commitmentRate: ratio(t.committed, t.liable),
        status: rateGroup(counts, rules),
      };
    });
    const sum = (k: keyof MonthTally): number => tally.months.reduce((s, m) => s + m[k], 0);
    const counts = { green: sum('green'), amber: sum('amber'), red: sum('red') };
    return {
      ...n,
      branches: tally.branches,
      months,
      summary: {
        due: sum('due'),
        held: sum('held'),
        ...counts,
        heldShare: ratio(sum('held'), sum('due')),
        attendanceRate: ratio(sum('attended'), sum('liable')),
        status: rateGroup(counts, rules),
      },
    };
  });
}
