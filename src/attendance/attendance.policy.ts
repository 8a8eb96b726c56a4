import { registerPolicySchema, Sourced } from '../policy/policy.service';

export interface AttendancePolicy {
  checkIn: Sourced & {
    opensMinutesBefore: number;
    closesMinutesAfter: number;
    graceMinutes: number;
    codeStepSeconds: number;
    codeDigits: number;
    acceptPreviousSteps: number;
    wrongCodesPerMinute: number;
    wrongCodesPerSessionPerMinute: number;
  };
  makeUp: Sourced & { dueDays: number };
}

const WHOLE = (v: unknown, min: number, max: number): boolean =>
  Number.isInteger(v) && (v as number) >= min && (v as number) <= max;

registerPolicySchema('attendance', (body) => {
  const problems: Array<[Array<string | number>, string]> = [];
  const checkIn = (body.checkIn ?? {}) as Record<string, unknown>;
  const limits: Record<string, [number, number]> = {
    opensMinutesBefore: [0, 720],
    closesMinutesAfter: [0, 720],
    graceMinutes: [0, 240],
    codeStepSeconds: [10, 300],
    codeDigits: [4, 9],
    acceptPreviousSteps: [0, 10],
    wrongCodesPerMinute: [1, 100],
    wrongCodesPerSessionPerMinute: [1, 1000],
  };
  for (const [key, [min, max]] of Object.entries(limits)) {
    if (!WHOLE(checkIn[key], min, max)) {
      problems.push([['checkIn', key], `${key} must be a whole number from ${min} to ${max}`]);
    }
  }
  const makeUp = (body.makeUp ?? {}) as Record<string, unknown>;
  if (!WHOLE(makeUp.dueDays, 1, 365)) {
    problems.push([['makeUp', 'dueDays'], 'dueDays must be a whole number from 1 to 365']);
  }
  return problems;
});
