import { registerPolicySchema, Sourced } from '../policy/policy.service';

/** The shape of content/policy/regularity.yml: how a branch-month and a roll-up are coloured. */
export interface RegularityPolicy {
  cell: Sourced & {
    green: { minObligationShare: number; minAttendanceRate: number; minEvidenceShare: number };
    amber: { minObligationShare: number; minAttendanceRate: number; minEvidenceShare: number };
    studyDayRequired: boolean;
  };
  rollup: Sourced & {
    green: { minGreenShare: number; maxRedShare: number };
    amber: { maxRedShare: number };
  };
  continuingEducation: Sourced & { windowMonths: number };
}

const share = (v: unknown): boolean => typeof v === 'number' && v >= 0 && v <= 1;

export function checkRegularityPolicy(
  body: Record<string, unknown>,
): Array<[Array<string | number>, string]> {
  const problems: Array<[Array<string | number>, string]> = [];
  const obj = (v: unknown): Record<string, unknown> =>
    typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  const cell = obj(body.cell);
  for (const band of ['green', 'amber'] as const) {
    const b = obj(cell[band]);
    for (const key of ['minObligationShare', 'minAttendanceRate', 'minEvidenceShare']) {
      if (!share(b[key])) {
        problems.push([['cell', band, key], `${key} must be a share from 0 to 1`]);
      }
    }
  }
  if (typeof cell.studyDayRequired !== 'boolean') {
    problems.push([['cell', 'studyDayRequired'], 'studyDayRequired must be true or false']);
  }
  const rollup = obj(body.rollup);
  const green = obj(rollup.green);
  if (!share(green.minGreenShare)) {
    problems.push([
      ['rollup', 'green', 'minGreenShare'],
      'minGreenShare must be a share from 0 to 1',
    ]);
  }
  if (!share(green.maxRedShare)) {
    problems.push([['rollup', 'green', 'maxRedShare'], 'maxRedShare must be a share from 0 to 1']);
  }
  if (!share(obj(rollup.amber).maxRedShare)) {
    problems.push([['rollup', 'amber', 'maxRedShare'], 'maxRedShare must be a share from 0 to 1']);
  }
  const months = obj(body.continuingEducation).windowMonths;
  if (!Number.isInteger(months) || (months as number) < 1 || (months as number) > 36) {
    problems.push([
      ['continuingEducation', 'windowMonths'],
      'windowMonths must be a whole number from 1 to 36',
    ]);
  }
  return problems;
}

registerPolicySchema('regularity', checkRegularityPolicy);
