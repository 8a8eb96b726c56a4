import { DateTime } from 'luxon';
import {
  CertificationRule,
  LADDER,
  LadderLevel,
  LevelPolicy,
  Requirement,
  RulePeriod,
} from './certification.policy';

// Pure rule evaluation: a person's facts and a rule in, met / progress out. No Nest, no database.

export interface PersonFacts {
  level: string;
  registrationStart: string | null;
  completedCourses: Array<{ slug: string; trainingKind: string; completedAt: Date }>;
  passedQuizzes: Array<{
    courseSlug: string | null;
    scorePercent: number;
    passedAt: Date;
    isFinal: boolean;
  }>;
  signedOffTasks: Array<{ lessonId: string; courseSlug: string; signedOffAt: Date }>;
  /** Certificates the person holds now (revoked and superseded ones excluded). */
  certificates: Array<{ ruleKey: string }>;
}

/** Hours and attendance inside one rule period, gathered per period because they come from range queries. */
export interface PeriodFacts {
  hours: { total: number; byKind: Record<string, number> };
  attendance: { rate: number | null; sessions: number };
}

export interface Period {
  key: string;
  from: Date;
  /** Exclusive end. */
  to: Date;
}

export interface RequirementProgress {
  kind: string;
  done: number;
  required: number;
  met: boolean;
  /** What the requirement names, for labels: course slugs, a training kind, a minimum score, a rule key. */
  params: Record<string, string | number>;
  items?: Array<{ slug: string; met: boolean }>;
}

export interface RuleEvaluation {
  applicable: boolean;
  met: boolean;
  /** Share of the way there, 0..1 (mean of each requirement's share). */
  progress: number;
  requirements: RequirementProgress[];
}

const EPOCH = new Date('2000-01-01T00:00:00Z');

/** The date (YYYY-MM-DD) a registration period that started on `start` and lasts `years` covers at `now`. */
export function registrationPeriod(
  start: string,
  years: number,
  now: Date,
  zone: string,
): Period | null {
  const first = DateTime.fromISO(start, { zone });
  if (!first.isValid) {
    return null;
  }
  const today = DateTime.fromJSDate(now, { zone });
  let begin = first;
  while (begin.plus({ years }) <= today) {
    begin = begin.plus({ years });
  }
  return {
    key: `R${begin.toISODate()}`,
    from: begin.toJSDate(),
    to: begin.plus({ years }).toJSDate(),
  };
}

/** The period a rule counts in at `now`; null when it has none for this person (no registration date). */
export function periodOf(
  kind: RulePeriod,
  now: Date,
  zone: string,
  registration: { start: string | null; years: number },
): Period | null {
  if (kind === 'once') {
    return { key: 'once', from: EPOCH, to: new Date(now.getTime() + 1) };
  }
  if (kind === 'yearly') {
    const start = DateTime.fromJSDate(now, { zone }).startOf('year');
    return {
      key: `Y${start.year}`,
      from: start.toJSDate(),
      to: start.plus({ years: 1 }).toJSDate(),
    };
  }
  return registration.start
    ? registrationPeriod(registration.start, registration.years, now, zone)
    : null;
}

export function levelPolicyOf(levels: LevelPolicy[], level: string): LevelPolicy | undefined {
  return levels.find((l) => l.level === level);
}

/** The level a rule's certificate names: its own level, or the holder's for `held`. */
export function ruleLevel(rule: CertificationRule, holderLevel: string): LadderLevel | null {
  if (rule.level === 'held') {
    return (LADDER as readonly string[]).includes(holderLevel)
      ? (holderLevel as LadderLevel)
      : null;
  }
  return rule.level ?? null;
}

export function isApplicable(rule: CertificationRule, facts: PersonFacts): boolean {
  const a = rule.appliesTo;
  if (a?.levels && !a.levels.includes(facts.level as LadderLevel)) {
    return false;
  }
  if (a?.registered && !facts.registrationStart) {
    return false;
  }
  return rule.level !== 'held' || ruleLevel(rule, facts.level) !== null;
}

/** Whether a requirement is measured from a period's hours and attendance rather than from the person's facts. */
function needsPeriodFacts(req: Requirement): boolean {
  return 'hours' in req || 'attendance' in req || 'continuingEducation' in req;
}

/** Stands in for a period's facts where only requirements that do not read them are measured. */
const UNREAD_PERIOD: PeriodFacts = {
  hours: { total: 0, byKind: {} },
  attendance: { rate: null, sessions: 0 },
};

/**
 * False when the rule cannot be met whatever its period's hours and attendance: it does not apply to the person,
 * or a requirement measured from their facts alone is unmet. The issuer asks first and reads a period only when
 * this is true; `evaluateRule` then decides, as it always does.
 */
export function mightBeMet(
  rule: CertificationRule,
  facts: PersonFacts,
  period: Period,
  levels: LevelPolicy[],
): boolean {
  return (
    isApplicable(rule, facts) &&
    rule.requires
      .filter((req) => !needsPeriodFacts(req))
      .every((req) => measure(req, facts, period, UNREAD_PERIOD, levels).met)
  );
}

const round2 = (n: number): number => Math.round(n * 100) / 100;
const inPeriod = (at: Date, p: Period): boolean => at >= p.from && at < p.to;

function measure(
  req: Requirement,
  facts: PersonFacts,
  period: Period,
  periodFacts: PeriodFacts,
  levels: LevelPolicy[],
): RequirementProgress {
  if ('courses' in req) {
    const done = new Set(
      facts.completedCourses.filter((c) => inPeriod(c.completedAt, period)).map((c) => c.slug),
    );
    const items = req.courses.map((slug) => ({ slug, met: done.has(slug) }));
    const count = items.filter((i) => i.met).length;
    return {
      kind: 'courses',
      done: count,
      required: items.length,
      met: count === items.length,
      params: { courses: req.courses.join(', ') },
      items,
    };
  }
  if ('coursesOfKind' in req) {
    const { trainingKind, count } = req.coursesOfKind;
    const slugs = new Set(
      facts.completedCourses
        .filter((c) => c.trainingKind === trainingKind && inPeriod(c.completedAt, period))
        .map((c) => c.slug),
    );
    return {
      kind: 'coursesOfKind',
      done: slugs.size,
      required: count,
      met: slugs.size >= count,
      params: { trainingKind },
    };
  }
  if ('hours' in req) {
    const { trainingKind, min } = req.hours;
    const done = round2(
      trainingKind ? (periodFacts.hours.byKind[trainingKind] ?? 0) : periodFacts.hours.total,
    );
    return {
      kind: 'hours',
      done,
      required: min,
      met: done >= min,
      params: trainingKind ? { trainingKind } : {},
    };
  }
  if ('finalQuizzes' in req) {
    const { courses, minScore } = req.finalQuizzes;
    const items = courses.map((slug) => ({
      slug,
      met: facts.passedQuizzes.some(
        (q) =>
          q.isFinal &&
          q.courseSlug === slug &&
          q.scorePercent >= minScore &&
          inPeriod(q.passedAt, period),
      ),
    }));
    const count = items.filter((i) => i.met).length;
    return {
      kind: 'finalQuizzes',
      done: count,
      required: items.length,
      met: count === items.length,
      params: { minScore, courses: courses.join(', ') },
      items,
    };
  }
  if ('tasks' in req) {
    const { count, courses } = req.tasks;
    const done = facts.signedOffTasks.filter(
      (t) => (!courses || courses.includes(t.courseSlug)) && inPeriod(t.signedOffAt, period),
    ).length;
    return { kind: 'tasks', done, required: count, met: done >= count, params: {} };
  }
  if ('attendance' in req) {
    const { minRate, minSessions = 0 } = req.attendance;
    const rate = periodFacts.attendance.rate ?? 0;
    const enough = periodFacts.attendance.sessions >= minSessions;
    return {
      kind: 'attendance',
      done: round2(rate),
      required: minRate,
      met: enough && rate >= minRate,
      params: { minSessions, sessions: periodFacts.attendance.sessions },
    };
  }
  if ('certificate' in req) {
    const held = facts.certificates.some((c) => c.ruleKey === req.certificate);
    return {
      kind: 'certificate',
      done: held ? 1 : 0,
      required: 1,
      met: held,
      params: { rule: req.certificate },
    };
  }
  const level = levelPolicyOf(levels, facts.level);
  const required = level
    ? round2(
        req.continuingEducation === 'yearly'
          ? level.continuingHours / level.registrationYears
          : level.continuingHours,
      )
    : 0;
  const done = round2(periodFacts.hours.total);
  return {
    kind: 'continuingEducation',
    done,
    required,
    met: level !== undefined && done >= required,
    params: { scope: req.continuingEducation },
  };
}

export function evaluateRule(
  rule: CertificationRule,
  facts: PersonFacts,
  period: Period,
  periodFacts: PeriodFacts,
  levels: LevelPolicy[],
): RuleEvaluation {
  const requirements = rule.requires.map((r) => measure(r, facts, period, periodFacts, levels));
  const shares = requirements.map((r) =>
    r.required <= 0 ? (r.met ? 1 : 0) : Math.min(1, r.done / r.required),
  );
  const progress = shares.length === 0 ? 0 : shares.reduce((a, b) => a + b, 0) / shares.length;
  const applicable = isApplicable(rule, facts);
  const met = applicable && requirements.every((r) => r.met);
  return { applicable, met, progress: met ? 1 : Math.min(progress, 0.99), requirements };
}
