import {
  buildBranchRows,
  buildRollup,
  closesPeriod,
  MeetingAggregate,
  rateCell,
  rateGroup,
} from './regularity-grid';
import { RegularityPolicy } from './regularity.policy';

const sourced = { source: 'test', effectiveFrom: '2025-01-01' };
const policy: RegularityPolicy = {
  cell: {
    ...sourced,
    green: { minObligationShare: 1, minAttendanceRate: 0.8, minEvidenceShare: 0.8 },
    amber: { minObligationShare: 0.5, minAttendanceRate: 0.6, minEvidenceShare: 0.4 },
    studyDayRequired: true,
  },
  rollup: {
    ...sourced,
    green: { minGreenShare: 0.8, maxRedShare: 0.05 },
    amber: { maxRedShare: 0.25 },
  },
  continuingEducation: { ...sourced, windowMonths: 6 },
};
const types = [
  { type: 'study_day', frequency: 'monthly' as const },
  { type: 'committee', frequency: 'monthly' as const },
  { type: 'party_lecture', frequency: 'quarterly' as const },
];
const pieces = ['plan', 'minutes'];
const meeting = (orgId: string, month: string, held: string[]): MeetingAggregate => ({
  orgId,
  month,
  heldByType: types.map((t) => held.includes(t.type)),
  // plan, minutes
  evidenceByPiece: [true, held.includes('study_day')],
  studyDayPlanned: true,
});

describe('regularity grid', () => {
  const rows = buildBranchRows({
    year: 2026,
    currentMonth: '2026-04',
    types,
    evidencePieces: pieces,
    branches: [
      { id: 'a', name: 'A', path: '/c/a/' },
      { id: 'b', name: 'B', path: '/c/b/' },
    ],
    meetings: [
      meeting('a', '2026-01', ['study_day', 'committee']),
      meeting('a', '2026-02', ['study_day', 'committee', 'party_lecture']),
      meeting('a', '2026-03', ['study_day', 'committee']),
      meeting('b', '2026-01', ['study_day']),
      meeting('b', '2026-03', ['study_day', 'committee']),
    ],
    // Two sessions in March (a study day moved and a second one held) are summed into the month.
    rates: [
      { orgId: 'a', month: '2026-01', liable: 10, attended: 9, leaveMadeUp: 1 },
      { orgId: 'a', month: '2026-03', liable: 10, attended: 5, leaveMadeUp: 0 },
      { orgId: 'a', month: '2026-03', liable: 10, attended: 10, leaveMadeUp: 0 },
    ],
    policy,
  });
  const [a, b] = rows;

  it('marks a month held and green when every obligation due is met', () => {
    expect(a?.months[0]).toMatchObject({
      month: '2026-01',
      due: true,
      held: true,
      status: 'green',
      attendanceRate: 0.9,
      commitmentRate: 1,
      evidence: { plan: true, minutes: true },
      evidenceShare: 1,
    });
    expect(a?.months[2]).toMatchObject({ liable: 20, attended: 15, attendanceRate: 0.75 });
  });

  it('judges a quarterly obligation in the last month of its quarter, met by any month of it', () => {
    const march = a?.months[2];
    expect(march?.obligations.find((o) => o.type === 'party_lecture')).toEqual({
      type: 'party_lecture',
      met: true,
      due: true,
    });
    expect(a?.months[0]?.obligations.find((o) => o.type === 'party_lecture')?.due).toBe(false);
    expect(b?.months[2]?.obligations.find((o) => o.type === 'party_lecture')).toEqual({
      type: 'party_lecture',
      met: false,
      due: true,
    });
    expect(b?.months[2]?.status).toBe('amber');
  });

  it('colours a missed study day red and leaves future months undue', () => {
    expect(b?.months[1]).toMatchObject({ held: false, due: true, status: 'red' });
    expect(a?.months[4]).toMatchObject({ due: false, status: 'none' });
    expect(b?.summary).toMatchObject({ monthsDue: 3, held: 2, red: 1 });
  });

  it('rolls branches up by counting coloured branch-months', () => {
    const [city] = buildRollup(
      [{ id: 'c', name: 'C', kind: 'city', path: '/c/', depth: 0 }],
      rows,
      policy.rollup,
    );
    expect(city?.branches).toBe(2);
    expect(city?.summary).toMatchObject({ due: 6, held: 5, red: 1, heldShare: 0.8333 });
    expect(city?.months[1]).toMatchObject({ due: 2, held: 1, red: 1, status: 'red' });
  });

  it('applies the rating thresholds', () => {
    const base = {
      due: true,
      held: true,
      obligationShare: 1,
      attendanceRate: 0.85,
      evidenceShare: 1,
    };
    expect(rateCell(base, policy.cell)).toBe('green');
    expect(rateCell({ ...base, attendanceRate: 0.7 }, policy.cell)).toBe('amber');
    expect(rateCell({ ...base, attendanceRate: 0.3 }, policy.cell)).toBe('red');
    expect(rateCell({ ...base, held: false }, policy.cell)).toBe('red');
    expect(rateCell({ ...base, attendanceRate: null }, policy.cell)).toBe('green');
    expect(rateGroup({ green: 9, amber: 1, red: 0 }, policy.rollup)).toBe('green');
    expect(rateGroup({ green: 5, amber: 4, red: 1 }, policy.rollup)).toBe('amber');
    expect(rateGroup({ green: 1, amber: 1, red: 2 }, policy.rollup)).toBe('red');
    expect(rateGroup({ green: 0, amber: 0, red: 0 }, policy.rollup)).toBe('none');
    expect(closesPeriod('yearly', '2026-12')).toBe(true);
  });
});
