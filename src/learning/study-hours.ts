import { DateTime } from 'luxon';
import type { Sourced } from '../policy/policy.service';
import { ACTIVITY_TYPES, ActivityType } from './ledger-entry.entity';

/** The shape of content/policy/study-hours.yml. */
export interface CreditingRule extends Sourced {
  key: string;
  title: string;
  titleEn: string;
  /** Ordered from the longest lesson down; the first band whose minMinutes the lesson reaches applies. */
  lessonBands: Array<{ minMinutes: number; hours: number }>;
  quizPassed: number;
  recordedHoursFactor: number;
}

export type AppliesTo = 'everyone' | 'party_member' | 'registered_social_worker';

export interface Requirement extends Sourced {
  key: string;
  title: string;
  titleEn: string;
  appliesTo: AppliesTo;
  period: 'calendar_year' | 'registration_period';
  periodYears?: number;
  hours?: number;
  raisedHours?: number;
  raisedFor?: Array<'secretary' | 'branch_committee'>;
  hoursByLevel?: Record<string, number>;
  activityTypes: ActivityType[];
  trainingKinds: string[];
  rule: string;
}

export interface StudyHoursPolicy {
  timeZone: string;
  defaultRule: string;
  creditingRules: CreditingRule[];
  requirements: Requirement[];
}

export type CreditBasis = { minutes: number } | { quizPassed: true } | { hours: number };

/** The person facts the requirements depend on. */
export interface PersonFacts {
  active: boolean;
  partyMember: boolean;
  branchCommittee: boolean;
  isSecretary: boolean;
  qualificationLevel: string;
  registrationStart: string | null;
}

export interface CreditedEntry {
  activityType: ActivityType;
  trainingKind: string;
  occurredAt: Date;
  basisKind: 'minutes' | 'quiz' | 'hours';
  basisValue: number;
}

export interface RequirementStatus {
  key: string;
  title: string;
  titleEn: string;
  periodStart: string;
  periodEnd: string;
  required: number;
  done: number;
  gap: number;
  source: string;
  effectiveFrom: string;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

export function creditHours(rule: CreditingRule, basis: CreditBasis): number {
  if ('minutes' in basis) {
    const band = [...rule.lessonBands]
      .sort((a, b) => b.minMinutes - a.minMinutes)
      .find((b) => basis.minutes >= b.minMinutes);
    return band?.hours ?? 0;
  }
  if ('quizPassed' in basis) {
    return rule.quizPassed;
  }
  return round2(Math.max(0, basis.hours) * rule.recordedHoursFactor);
}

export function basisOf(entry: Pick<CreditedEntry, 'basisKind' | 'basisValue'>): CreditBasis {
  if (entry.basisKind === 'minutes') {
    return { minutes: entry.basisValue };
  }
  if (entry.basisKind === 'quiz') {
    return { quizPassed: true };
  }
  return { hours: entry.basisValue };
}

export function ruleOf(policy: StudyHoursPolicy, key: string): CreditingRule {
  const rule = policy.creditingRules.find((r) => r.key === key);
  if (!rule) {
    throw new Error(`study-hours policy has no crediting rule "${key}"`);
  }
  return rule;
}

function requiredHours(req: Requirement, person: PersonFacts): number | null {
  if (req.hoursByLevel) {
    return req.hoursByLevel[person.qualificationLevel] ?? null;
  }
  const raised =
    req.raisedHours !== undefined &&
    (req.raisedFor ?? []).some((r) =>
      r === 'secretary' ? person.isSecretary : person.branchCommittee,
    );
  return raised ? (req.raisedHours ?? null) : (req.hours ?? null);
}

function applies(req: Requirement, person: PersonFacts): boolean {
  if (!person.active) {
    return false;
  }
  switch (req.appliesTo) {
    case 'everyone':
      return true;
    case 'party_member':
      // Branch secretaries and committee members are party members by office.
      return person.partyMember || person.isSecretary || person.branchCommittee;
    case 'registered_social_worker':
      return person.qualificationLevel !== 'none' && person.registrationStart !== null;
  }
}

/** The period of a requirement that contains `now`, as local dates (end inclusive) and UTC instants (end exclusive). */
export function periodOf(
  req: Requirement,
  person: PersonFacts,
  now: Date,
  zone: string,
): { start: DateTime; end: DateTime } {
  const today = DateTime.fromJSDate(now, { zone });
  if (req.period === 'calendar_year') {
    const start = today.startOf('year');
    return { start, end: start.plus({ years: 1 }) };
  }
  const years = req.periodYears ?? 3;
  let start = DateTime.fromISO(person.registrationStart ?? today.toISODate() ?? '', {
    zone,
  }).startOf('day');
  while (start.plus({ years }) <= today) {
    start = start.plus({ years });
  }
  return { start, end: start.plus({ years }) };
}

/** Every requirement that applies to the person, with hours done in its current period and the gap. */
export function evaluateRequirements(
  policy: StudyHoursPolicy,
  person: PersonFacts,
  entries: CreditedEntry[],
  now: Date,
): RequirementStatus[] {
  const zone = policy.timeZone || 'Asia/Shanghai';
  const todayIso = DateTime.fromJSDate(now, { zone }).toISODate() ?? '';
  const out: RequirementStatus[] = [];
  for (const req of policy.requirements) {
    if (req.effectiveFrom > todayIso || !applies(req, person)) {
      continue;
    }
    const required = requiredHours(req, person);
    if (required === null) {
      continue;
    }
    const rule = ruleOf(policy, req.rule);
    const { start, end } = periodOf(req, person, now, zone);
    const from = start.toMillis();
    const to = end.toMillis();
    const done = round2(
      entries
        .filter(
          (e) =>
            req.activityTypes.includes(e.activityType) &&
            req.trainingKinds.includes(e.trainingKind) &&
            e.occurredAt.getTime() >= from &&
            e.occurredAt.getTime() < to,
        )
        .reduce((sum, e) => sum + creditHours(rule, basisOf(e)), 0),
    );
    out.push({
      key: req.key,
      title: req.title,
      titleEn: req.titleEn,
      periodStart: start.toISODate() ?? '',
      periodEnd: end.minus({ days: 1 }).toISODate() ?? '',
      required,
      done,
      gap: round2(Math.max(0, required - done)),
      source: req.source,
      effectiveFrom: req.effectiveFrom,
    });
  }
  return out;
}

/** Year of an instant in the policy's zone (the ledger's `year` column). */
export function localYear(at: Date, zone = 'Asia/Shanghai'): number {
  return DateTime.fromJSDate(at, { zone }).year;
}

/** Schema check of the policy document, run by content:import before anything is stored. */
export function checkStudyHoursPolicy(
  body: Record<string, unknown>,
): Array<[Array<string | number>, string]> {
  const problems: Array<[Array<string | number>, string]> = [];
  const rules = body.creditingRules;
  const reqs = body.requirements;
  if (typeof body.timeZone !== 'string' || !DateTime.local().setZone(body.timeZone).isValid) {
    problems.push([['timeZone'], 'timeZone must be an IANA zone such as Asia/Shanghai']);
  }
  if (!Array.isArray(rules) || rules.length === 0) {
    return [...problems, [['creditingRules'], 'creditingRules must be a non-empty list']];
  }
  if (!Array.isArray(reqs) || reqs.length === 0) {
    return [...problems, [['requirements'], 'requirements must be a non-empty list']];
  }
  const ruleKeys = new Set<string>();
  (rules as Array<Partial<CreditingRule>>).forEach((r, i) => {
    if (typeof r.key !== 'string') {
      problems.push([['creditingRules', i, 'key'], 'key is required']);
    } else {
      ruleKeys.add(r.key);
    }
    if (!Array.isArray(r.lessonBands) || r.lessonBands.length === 0) {
      problems.push([['creditingRules', i, 'lessonBands'], 'lessonBands must be a non-empty list']);
    } else {
      r.lessonBands.forEach((b, j) => {
        if (
          typeof b?.minMinutes !== 'number' ||
          typeof b?.hours !== 'number' ||
          b.minMinutes < 0 ||
          b.hours < 0
        ) {
          problems.push([
            ['creditingRules', i, 'lessonBands', j],
            'each band needs minMinutes and hours (numbers >= 0)',
          ]);
        }
      });
      if (!r.lessonBands.some((b) => b?.minMinutes === 0)) {
        problems.push([
          ['creditingRules', i, 'lessonBands'],
          'one band must start at minMinutes: 0',
        ]);
      }
    }
    for (const field of ['quizPassed', 'recordedHoursFactor'] as const) {
      if (typeof r[field] !== 'number' || r[field] < 0) {
        problems.push([['creditingRules', i, field], `${field} must be a number >= 0`]);
      }
    }
  });
  if (typeof body.defaultRule !== 'string' || !ruleKeys.has(body.defaultRule)) {
    problems.push([['defaultRule'], 'defaultRule must name one of the creditingRules']);
  }
  const kinds = ['initial', 'on_the_job', 'special_topic', 'practical'];
  (reqs as Array<Partial<Requirement>>).forEach((r, i) => {
    const at = (f: string): Array<string | number> => ['requirements', i, f];
    if (typeof r.key !== 'string' || typeof r.title !== 'string' || typeof r.titleEn !== 'string') {
      problems.push([at('key'), 'key, title and titleEn are required']);
    }
    if (!['everyone', 'party_member', 'registered_social_worker'].includes(String(r.appliesTo))) {
      problems.push([
        at('appliesTo'),
        'appliesTo must be everyone, party_member or registered_social_worker',
      ]);
    }
    if (r.period !== 'calendar_year' && r.period !== 'registration_period') {
      problems.push([at('period'), 'period must be calendar_year or registration_period']);
    }
    if (r.hoursByLevel === undefined && typeof r.hours !== 'number') {
      problems.push([at('hours'), 'hours (or hoursByLevel) is required']);
    }
    if (
      !Array.isArray(r.activityTypes) ||
      r.activityTypes.some((a) => !(ACTIVITY_TYPES as readonly string[]).includes(a))
    ) {
      problems.push([
        at('activityTypes'),
        `activityTypes must be a list of ${ACTIVITY_TYPES.join(', ')}`,
      ]);
    }
    if (!Array.isArray(r.trainingKinds) || r.trainingKinds.some((k) => !kinds.includes(k))) {
      problems.push([at('trainingKinds'), `trainingKinds must be a list of ${kinds.join(', ')}`]);
    }
    if (typeof r.rule !== 'string' || !ruleKeys.has(r.rule)) {
      problems.push([at('rule'), 'rule must name one of the creditingRules']);
    }
  });
  return problems;
}
