import { registerPolicySchema, Sourced } from '../policy/policy.service';

export const LADDER = ['assistant', 'social_worker', 'senior'] as const;
export type LadderLevel = (typeof LADDER)[number];
export const TRAINING_KINDS = ['initial', 'on_the_job', 'special_topic', 'practical'] as const;
export type TrainingKind = (typeof TRAINING_KINDS)[number];
export const RULE_PERIODS = ['once', 'yearly', 'registration'] as const;
export type RulePeriod = (typeof RULE_PERIODS)[number];
export const ISSUER_KINDS = ['city', 'district'] as const;
export type IssuerKind = (typeof ISSUER_KINDS)[number];

export interface LevelPolicy extends Sourced {
  level: LadderLevel;
  label: string;
  labelEn: string;
  registrationYears: number;
  continuingHours: number;
}

export interface QualificationLevelsPolicy {
  levels: LevelPolicy[];
  warnings: Sourced & { early: number; urgent: number };
  behind: Sourced & { paceShare: number };
}

export type Requirement =
  | { courses: string[] }
  | { coursesOfKind: { trainingKind: TrainingKind; count: number } }
  | { hours: { trainingKind?: TrainingKind; min: number } }
  | { finalQuizzes: { courses: string[]; minScore: number } }
  | { tasks: { count: number; courses?: string[] } }
  | { attendance: { minRate: number; minSessions?: number } }
  | { certificate: string }
  | { continuingEducation: 'yearly' | 'period' };

export interface CertificationRule extends Sourced {
  key: string;
  title: string;
  titleEn: string;
  /** The level the certificate prepares for or evidences; `held` means the holder's own level. */
  level?: LadderLevel | 'held';
  levelRelation?: 'prepares' | 'evidences';
  trainingKind: TrainingKind;
  period: RulePeriod;
  hours: number | 'earned';
  issuer: IssuerKind;
  appliesTo?: { levels?: LadderLevel[]; registered?: boolean };
  requires: Requirement[];
}

export interface CertificationRulesPolicy {
  practicalTasks: Sourced & { hoursPerTask: number };
  rules: CertificationRule[];
}

type Problems = Array<[Array<string | number>, string]>;
const REQUIREMENT_KINDS = [
  'courses',
  'coursesOfKind',
  'hours',
  'finalQuizzes',
  'tasks',
  'attendance',
  'certificate',
  'continuingEducation',
];
const SLUG = /^[a-z0-9-]+$/;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isPositive = (v: unknown): v is number =>
  typeof v === 'number' && Number.isFinite(v) && v > 0;
const isSlugList = (v: unknown): v is string[] =>
  Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string' && SLUG.test(s));
const oneOf = <T extends string>(list: readonly T[], v: unknown): v is T =>
  typeof v === 'string' && (list as readonly string[]).includes(v);

export function validateLevels(body: Record<string, unknown>): Problems {
  const problems: Problems = [];
  if (!Array.isArray(body.levels)) {
    return [[['levels'], 'levels must be a list']];
  }
  body.levels.forEach((l: unknown, i) => {
    if (!isObject(l)) {
      problems.push([['levels', i], 'each level must be a mapping']);
      return;
    }
    if (!oneOf(LADDER, l.level)) {
      problems.push([['levels', i, 'level'], `level must be one of ${LADDER.join(', ')}`]);
    }
    for (const field of ['label', 'labelEn']) {
      if (typeof l[field] !== 'string' || l[field] === '') {
        problems.push([['levels', i, field], `${field} is required`]);
      }
    }
    if (
      !Number.isInteger(l.registrationYears) ||
      (l.registrationYears as number) < 1 ||
      (l.registrationYears as number) > 10
    ) {
      problems.push([
        ['levels', i, 'registrationYears'],
        'registrationYears must be a whole number of years from 1 to 10',
      ]);
    }
    if (!isPositive(l.continuingHours) || l.continuingHours > 1000) {
      problems.push([
        ['levels', i, 'continuingHours'],
        'continuingHours must be a positive number of hours (at most 1000)',
      ]);
    }
  });
  for (const level of LADDER) {
    if (!body.levels.some((l: unknown) => isObject(l) && l.level === level)) {
      problems.push([['levels'], `the level ${level} is missing`]);
    }
  }
  const w = body.warnings;
  if (
    !isObject(w) ||
    !Number.isInteger(w.early) ||
    !Number.isInteger(w.urgent) ||
    (w.urgent as number) < 1 ||
    (w.early as number) <= (w.urgent as number)
  ) {
    problems.push([
      ['warnings'],
      'warnings needs whole months early and urgent with early > urgent >= 1',
    ]);
  }
  const b = body.behind;
  if (!isObject(b) || !isPositive(b.paceShare) || b.paceShare > 1) {
    problems.push([['behind'], 'behind.paceShare must be a share between 0 and 1']);
  }
  return problems;
}

function validateRequirement(r: unknown, path: Array<string | number>, problems: Problems): void {
  if (!isObject(r)) {
    problems.push([path, 'a requirement must be a mapping']);
    return;
  }
  const keys = Object.keys(r);
  if (keys.length !== 1 || !REQUIREMENT_KINDS.includes(keys[0])) {
    problems.push([path, `a requirement has exactly one of: ${REQUIREMENT_KINDS.join(', ')}`]);
    return;
  }
  const kind = keys[0];
  const v = r[kind];
  const at = [...path, kind];
  switch (kind) {
    case 'courses':
      if (!isSlugList(v)) {
        problems.push([at, 'courses must be a list of course slugs']);
      }
      break;
    case 'coursesOfKind':
      if (
        !isObject(v) ||
        !oneOf(TRAINING_KINDS, v.trainingKind) ||
        !Number.isInteger(v.count) ||
        (v.count as number) < 1
      ) {
        problems.push([
          at,
          `coursesOfKind needs trainingKind (${TRAINING_KINDS.join(', ')}) and a whole count >= 1`,
        ]);
      }
      break;
    case 'hours':
      if (
        !isObject(v) ||
        !isPositive(v.min) ||
        (v.trainingKind !== undefined && !oneOf(TRAINING_KINDS, v.trainingKind))
      ) {
        problems.push([at, 'hours needs min > 0 and, optionally, a trainingKind']);
      }
      break;
    case 'finalQuizzes':
      if (
        !isObject(v) ||
        !isSlugList(v.courses) ||
        typeof v.minScore !== 'number' ||
        v.minScore < 0 ||
        v.minScore > 100
      ) {
        problems.push([at, 'finalQuizzes needs courses (slugs) and minScore from 0 to 100']);
      }
      break;
    case 'tasks':
      if (
        !isObject(v) ||
        !Number.isInteger(v.count) ||
        (v.count as number) < 1 ||
        (v.courses !== undefined && !isSlugList(v.courses))
      ) {
        problems.push([at, 'tasks needs a whole count >= 1 and, optionally, courses (slugs)']);
      }
      break;
    case 'attendance':
      if (
        !isObject(v) ||
        !isPositive(v.minRate) ||
        v.minRate > 1 ||
        (v.minSessions !== undefined &&
          (!Number.isInteger(v.minSessions) || (v.minSessions as number) < 0))
      ) {
        problems.push([
          at,
          'attendance needs minRate between 0 and 1 and, optionally, a whole minSessions',
        ]);
      }
      break;
    case 'certificate':
      if (typeof v !== 'string' || !SLUG.test(v)) {
        problems.push([at, 'certificate must be the key of another rule']);
      }
      break;
    case 'continuingEducation':
      if (v !== 'yearly' && v !== 'period') {
        problems.push([at, 'continuingEducation must be yearly or period']);
      }
      break;
  }
}

export function validateRules(body: Record<string, unknown>): Problems {
  const problems: Problems = [];
  const tasks = body.practicalTasks;
  if (!isObject(tasks) || !isPositive(tasks.hoursPerTask) || tasks.hoursPerTask > 100) {
    problems.push([
      ['practicalTasks'],
      'practicalTasks.hoursPerTask must be a positive number of hours',
    ]);
  }
  if (!Array.isArray(body.rules) || body.rules.length === 0) {
    return [...problems, [['rules'], 'rules must be a non-empty list']];
  }
  const keys = body.rules.map((r: unknown) => (isObject(r) ? r.key : undefined));
  body.rules.forEach((rule: unknown, i) => {
    const at = (...p: Array<string | number>) => ['rules', i, ...p];
    if (!isObject(rule)) {
      problems.push([at(), 'each rule must be a mapping']);
      return;
    }
    if (typeof rule.key !== 'string' || !SLUG.test(rule.key)) {
      problems.push([at('key'), 'key is required: lower-case letters, digits and hyphens']);
    } else if (keys.indexOf(rule.key) !== i) {
      problems.push([at('key'), `the key ${rule.key} is used twice`]);
    }
    for (const field of ['title', 'titleEn']) {
      if (
        typeof rule[field] !== 'string' ||
        rule[field].trim() === '' ||
        rule[field].length > 100
      ) {
        problems.push([at(field), `${field} is required (at most 100 characters)`]);
      }
    }
    if (!oneOf(TRAINING_KINDS, rule.trainingKind)) {
      problems.push([
        at('trainingKind'),
        `trainingKind must be one of ${TRAINING_KINDS.join(', ')}`,
      ]);
    }
    if (!oneOf(RULE_PERIODS, rule.period)) {
      problems.push([at('period'), `period must be one of ${RULE_PERIODS.join(', ')}`]);
    }
    if (!oneOf(ISSUER_KINDS, rule.issuer)) {
      problems.push([at('issuer'), `issuer must be one of ${ISSUER_KINDS.join(', ')}`]);
    }
    if (
      rule.hours !== 'earned' &&
      (typeof rule.hours !== 'number' || rule.hours < 0 || rule.hours > 1000)
    ) {
      problems.push([at('hours'), 'hours must be a number of hours (0-1000) or earned']);
    }
    if (rule.level !== undefined && rule.level !== 'held' && !oneOf(LADDER, rule.level)) {
      problems.push([at('level'), `level must be one of ${LADDER.join(', ')} or held`]);
    }
    if (
      rule.level !== undefined &&
      rule.levelRelation !== 'prepares' &&
      rule.levelRelation !== 'evidences'
    ) {
      problems.push([
        at('levelRelation'),
        'a rule with a level needs levelRelation: prepares or evidences',
      ]);
    }
    if (rule.appliesTo !== undefined) {
      const a = rule.appliesTo;
      if (
        !isObject(a) ||
        (a.levels !== undefined &&
          (!Array.isArray(a.levels) || !a.levels.every((l) => oneOf(LADDER, l)))) ||
        (a.registered !== undefined && typeof a.registered !== 'boolean')
      ) {
        problems.push([
          at('appliesTo'),
          'appliesTo takes levels (a list of levels) and registered (true or false)',
        ]);
      }
    }
    if (!Array.isArray(rule.requires) || rule.requires.length === 0) {
      problems.push([at('requires'), 'requires must be a non-empty list']);
      return;
    }
    rule.requires.forEach((r: unknown, j) => {
      validateRequirement(r, at('requires', j), problems);
      if (
        isObject(r) &&
        typeof r.certificate === 'string' &&
        (r.certificate === rule.key || !keys.includes(r.certificate))
      ) {
        problems.push([
          at('requires', j, 'certificate'),
          `certificate must name another rule of this file (not ${r.certificate})`,
        ]);
      }
    });
  });
  return problems;
}

registerPolicySchema('qualification-levels', validateLevels);
registerPolicySchema('certification-rules', validateRules);
