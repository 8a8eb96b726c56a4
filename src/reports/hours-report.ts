import { DateTime } from 'luxon';
import { ActivityType } from '../learning/ledger-entry.entity';
import {
  CreditedEntry,
  evaluateRequirements,
  PersonFacts,
  RequirementStatus,
  StudyHoursPolicy,
} from '../learning/study-hours';

/** Pure parts of the hours report: the learning module's requirement rules applied to grouped ledger rows. */

/** Ledger rows of one person grouped by what decides their weight; `count` identical credits. */
export interface LedgerGroup {
  userId: string;
  activityType: ActivityType;
  trainingKind: string;
  basisKind: 'minutes' | 'quiz' | 'hours';
  basisValue: number;
  count: number;
  /** Earliest and latest credit of the group (only needed for period-bound requirements). */
  occurredAt: Date;
}

/** The instant a year is judged at: now for the current year, its last day for a past year. */
export function asOfYear(year: number, now: Date, zone: string): Date {
  const today = DateTime.fromJSDate(now, { zone });
  if (year >= today.year) {
    return now;
  }
  return DateTime.fromObject({ year, month: 12, day: 31, hour: 12 }, { zone }).toJSDate();
}

/** Share of the year gone at `asOf` (1 for a past year), for "behind pace" against a yearly requirement. */
export function yearElapsed(asOf: Date, zone: string): number {
  const at = DateTime.fromJSDate(asOf, { zone });
  const start = at.startOf('year');
  const end = start.plus({ years: 1 });
  return Math.min(
    1,
    Math.max(0, at.diff(start).as('milliseconds') / end.diff(start).as('milliseconds')),
  );
}

/**
 * Yearly requirements of one person for a calendar year. The SQL already kept only the year's credits, so each
 * group is placed at the judging instant; the learning module's rules then weigh and total them.
 */
export function yearlyRequirements(
  policy: StudyHoursPolicy,
  person: PersonFacts,
  groups: LedgerGroup[],
  asOf: Date,
): RequirementStatus[] {
  const yearly = {
    ...policy,
    requirements: policy.requirements.filter((r) => r.period === 'calendar_year'),
  };
  const entries: CreditedEntry[] = [];
  for (const g of groups) {
    const entry: CreditedEntry = {
      activityType: g.activityType,
      trainingKind: g.trainingKind,
      occurredAt: asOf,
      basisKind: g.basisKind,
      basisValue: g.basisValue,
    };
    for (let i = 0; i < g.count; i++) {
      entries.push(entry);
    }
  }
  return evaluateRequirements(yearly, person, entries, asOf);
}

export interface PersonHours {
  requirements: RequirementStatus[];
  /** Every applicable requirement met. */
  met: boolean;
  /** Below the share of the requirement the elapsed part of the year calls for. */
  behind: boolean;
  gap: number;
}

export function judgePerson(requirements: RequirementStatus[], elapsed: number): PersonHours {
  const gap = Math.round(requirements.reduce((s, r) => s + r.gap, 0) * 100) / 100;
  return {
    requirements,
    met: requirements.every((r) => r.gap === 0),
    behind: requirements.some((r) => r.done < r.required * elapsed),
    gap,
  };
}
