import { CertificationRule, LevelPolicy } from './certification.policy';
import {
  evaluateRule,
  mightBeMet,
  periodOf,
  PeriodFacts,
  PersonFacts,
  registrationPeriod,
} from './rule-evaluation';

const sourced = { source: 'test', effectiveFrom: '2024-01-01' };
const LEVELS: LevelPolicy[] = [
  {
    level: 'assistant',
    label: '助理社会工作师',
    labelEn: 'Assistant',
    registrationYears: 3,
    continuingHours: 72,
    ...sourced,
  },
  {
    level: 'social_worker',
    label: '社会工作师',
    labelEn: 'Social worker',
    registrationYears: 3,
    continuingHours: 90,
    ...sourced,
  },
  {
    level: 'senior',
    label: '高级社会工作师',
    labelEn: 'Senior',
    registrationYears: 3,
    continuingHours: 90,
    ...sourced,
  },
];

function rule(overrides: Partial<CertificationRule> = {}): CertificationRule {
  return {
    key: 'initial-training',
    title: '初任培训合格证书',
    titleEn: 'Initial training certificate',
    trainingKind: 'initial',
    period: 'once',
    hours: 4,
    issuer: 'city',
    requires: [
      { courses: ['first-30-days'] },
      { finalQuizzes: { courses: ['first-30-days'], minScore: 60 } },
      { hours: { trainingKind: 'initial', min: 4 } },
    ],
    ...sourced,
    ...overrides,
  };
}

function facts(overrides: Partial<PersonFacts> = {}): PersonFacts {
  return {
    level: 'none',
    registrationStart: null,
    completedCourses: [],
    passedQuizzes: [],
    signedOffTasks: [],
    certificates: [],
    ...overrides,
  };
}

const hours = (total: number, byKind: Record<string, number> = {}): PeriodFacts => ({
  hours: { total, byKind },
  attendance: { rate: null, sessions: 0 },
});
const NOW = new Date('2026-05-10T04:00:00Z');
const once = periodOf('once', NOW, 'Asia/Shanghai', { start: null, years: 3 })!;
const at = new Date('2026-05-01T02:00:00Z');
const year = periodOf('yearly', NOW, 'Asia/Shanghai', { start: null, years: 3 })!;

/** The yearly continuing-education rule of registered social workers, as in content/policy. */
function continuingEducation(): CertificationRule {
  return rule({
    key: 'continuing-education',
    level: 'held',
    levelRelation: 'evidences',
    period: 'yearly',
    hours: 'earned',
    appliesTo: { levels: ['assistant', 'social_worker', 'senior'], registered: true },
    requires: [{ continuingEducation: 'yearly' }],
  });
}

describe('evaluateRule', () => {
  it('is met when the course is completed, its final quiz passed and the hours reached', () => {
    const result = evaluateRule(
      rule(),
      facts({
        completedCourses: [{ slug: 'first-30-days', trainingKind: 'initial', completedAt: at }],
        passedQuizzes: [
          { courseSlug: 'first-30-days', scorePercent: 80, passedAt: at, isFinal: true },
        ],
      }),
      once,
      hours(4, { initial: 4 }),
      LEVELS,
    );
    expect(result.met).toBe(true);
    expect(result.progress).toBe(1);
  });

  it('shows partial progress and names what is missing', () => {
    const result = evaluateRule(
      rule(),
      facts({
        completedCourses: [{ slug: 'first-30-days', trainingKind: 'initial', completedAt: at }],
      }),
      once,
      hours(2, { initial: 2 }),
      LEVELS,
    );
    expect(result.met).toBe(false);
    expect(result.requirements.map((r) => [r.kind, r.met])).toEqual([
      ['courses', true],
      ['finalQuizzes', false],
      ['hours', false],
    ]);
    expect(result.progress).toBeCloseTo((1 + 0 + 0.5) / 3);
  });

  it('does not count a practice quiz or a final below the minimum score', () => {
    const result = evaluateRule(
      rule({ requires: [{ finalQuizzes: { courses: ['first-30-days'], minScore: 60 } }] }),
      facts({
        passedQuizzes: [
          { courseSlug: 'first-30-days', scorePercent: 100, passedAt: at, isFinal: false },
          { courseSlug: 'first-30-days', scorePercent: 55, passedAt: at, isFinal: true },
        ],
      }),
      once,
      hours(0),
      LEVELS,
    );
    expect(result.met).toBe(false);
  });

  it('counts hours of the named training kind only', () => {
    const result = evaluateRule(
      rule({ requires: [{ hours: { trainingKind: 'initial', min: 4 } }] }),
      facts(),
      once,
      hours(10, { on_the_job: 10 }),
      LEVELS,
    );
    expect(result.requirements[0]).toMatchObject({ done: 0, required: 4, met: false });
  });

  it('needs the prerequisite certificate', () => {
    const r = rule({ key: 'prep-social-worker', requires: [{ certificate: 'prep-assistant' }] });
    expect(evaluateRule(r, facts(), once, hours(0), LEVELS).met).toBe(false);
    expect(
      evaluateRule(
        r,
        facts({ certificates: [{ ruleKey: 'prep-assistant' }] }),
        once,
        hours(0),
        LEVELS,
      ).met,
    ).toBe(true);
  });

  it('counts signed-off tasks and courses of a kind', () => {
    const r = rule({
      requires: [
        { tasks: { count: 2 } },
        { coursesOfKind: { trainingKind: 'practical', count: 1 } },
      ],
    });
    const f = facts({
      signedOffTasks: [{ lessonId: 'l1', courseSlug: 'volunteer-mobilising', signedOffAt: at }],
      completedCourses: [
        { slug: 'volunteer-mobilising', trainingKind: 'practical', completedAt: at },
      ],
    });
    const result = evaluateRule(r, f, once, hours(0), LEVELS);
    expect(result.requirements.map((x) => [x.done, x.required, x.met])).toEqual([
      [1, 2, false],
      [1, 1, true],
    ]);
  });

  it('needs both the attendance rate and enough sessions', () => {
    const r = rule({ requires: [{ attendance: { minRate: 0.9, minSessions: 6 } }] });
    expect(
      evaluateRule(
        r,
        facts(),
        once,
        { hours: { total: 0, byKind: {} }, attendance: { rate: 1, sessions: 3 } },
        LEVELS,
      ).met,
    ).toBe(false);
    expect(
      evaluateRule(
        r,
        facts(),
        once,
        { hours: { total: 0, byKind: {} }, attendance: { rate: 0.92, sessions: 6 } },
        LEVELS,
      ).met,
    ).toBe(true);
  });

  it('asks a registered social worker for a third of the period hours each year', () => {
    const r = continuingEducation();
    const sw = facts({ level: 'social_worker', registrationStart: '2025-03-01' });
    expect(evaluateRule(r, sw, year, hours(29.5), LEVELS)).toMatchObject({
      met: false,
      requirements: [{ required: 30 }],
    });
    expect(evaluateRule(r, sw, year, hours(30), LEVELS).met).toBe(true);
    expect(
      evaluateRule(
        r,
        facts({ level: 'assistant', registrationStart: '2025-03-01' }),
        year,
        hours(24),
        LEVELS,
      ).met,
    ).toBe(true);
  });

  it('is not applicable to people outside appliesTo, however many hours they have', () => {
    const r = rule({
      level: 'held',
      levelRelation: 'evidences',
      appliesTo: { levels: ['social_worker'], registered: true },
      requires: [{ continuingEducation: 'yearly' }],
    });
    expect(evaluateRule(r, facts({ level: 'none' }), once, hours(500), LEVELS)).toMatchObject({
      applicable: false,
      met: false,
    });
    expect(
      evaluateRule(r, facts({ level: 'social_worker' }), once, hours(500), LEVELS),
    ).toMatchObject({ applicable: false, met: false });
  });

  it('counts only what happened inside a yearly period', () => {
    const r = rule({ period: 'yearly', requires: [{ courses: ['party-study-day'] }] });
    const at = (iso: string) =>
      facts({
        completedCourses: [
          { slug: 'party-study-day', trainingKind: 'special_topic', completedAt: new Date(iso) },
        ],
      });
    // 2025-12-31T16:00Z is midnight of 1 January 2026 in Shanghai; a second earlier is still 2025 there.
    expect(evaluateRule(r, at('2025-12-31T16:00:00Z'), year, hours(0), LEVELS).met).toBe(true);
    expect(evaluateRule(r, at('2025-12-31T15:59:59Z'), year, hours(0), LEVELS).met).toBe(false);
  });
});

describe('periods', () => {
  it('keys a yearly period by the calendar year in the organisation zone', () => {
    expect(
      periodOf('yearly', new Date('2025-12-31T17:00:00Z'), 'Asia/Shanghai', {
        start: null,
        years: 3,
      })?.key,
    ).toBe('Y2026');
  });

  it('finds the current registration period from its first start', () => {
    const p = registrationPeriod('2020-03-01', 3, NOW, 'Asia/Shanghai');
    expect(p?.key).toBe('R2026-03-01');
    expect(registrationPeriod('2025-03-01', 3, NOW, 'Asia/Shanghai')?.key).toBe('R2025-03-01');
  });

  it('has no registration period without a registration date', () => {
    expect(periodOf('registration', NOW, 'Asia/Shanghai', { start: null, years: 3 })).toBeNull();
  });
});

describe('mightBeMet', () => {
  const done = facts({
    completedCourses: [{ slug: 'first-30-days', trainingKind: 'initial', completedAt: at }],
    passedQuizzes: [{ courseSlug: 'first-30-days', scorePercent: 80, passedAt: at, isFinal: true }],
  });

  it('is false when a requirement measured from the person alone is unmet, whatever the hours', () => {
    const person = facts({
      completedCourses: [{ slug: 'first-30-days', trainingKind: 'initial', completedAt: at }],
    });
    expect(mightBeMet(rule(), person, once, LEVELS)).toBe(false);
    // The full evaluation agrees, even with every hour the period could hold.
    expect(evaluateRule(rule(), person, once, hours(1000, { initial: 1000 }), LEVELS).met).toBe(
      false,
    );
  });

  it('is true when only the period facts are left to decide, and the evaluation then decides', () => {
    expect(mightBeMet(rule(), done, once, LEVELS)).toBe(true);
    expect(evaluateRule(rule(), done, once, hours(1, { initial: 1 }), LEVELS).met).toBe(false);
    expect(evaluateRule(rule(), done, once, hours(4, { initial: 4 }), LEVELS).met).toBe(true);
  });

  it('is false for a rule that does not apply to the person', () => {
    const yearly = continuingEducation();
    expect(mightBeMet(yearly, facts({ level: 'none' }), year, LEVELS)).toBe(false);
    const registered = facts({ level: 'assistant', registrationStart: '2025-03-01' });
    expect(mightBeMet(yearly, registered, year, LEVELS)).toBe(true);
    expect(evaluateRule(yearly, registered, year, hours(24), LEVELS).met).toBe(true);
  });

  it('is true for a rule measured from period facts alone', () => {
    const hoursOnly = rule({ requires: [{ hours: { min: 60 } }, { attendance: { minRate: 0.9 } }] });
    expect(mightBeMet(hoursOnly, facts(), once, LEVELS)).toBe(true);
  });
});
