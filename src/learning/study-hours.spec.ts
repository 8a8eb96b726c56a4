import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  checkStudyHoursPolicy,
  creditHours,
  CreditedEntry,
  evaluateRequirements,
  PersonFacts,
  ruleOf,
  StudyHoursPolicy,
} from './study-hours';

const policy = parse(
  readFileSync(join(__dirname, '..', '..', 'content', 'policy', 'study-hours.yml'), 'utf8'),
) as StudyHoursPolicy & Record<string, unknown>;
const online = ruleOf(policy, 'online-study');
const person = (over: Partial<PersonFacts> = {}): PersonFacts => ({
  active: true,
  partyMember: false,
  branchCommittee: false,
  isSecretary: false,
  qualificationLevel: 'none',
  registrationStart: null,
  ...over,
});
const lesson = (minutes: number, at: string, trainingKind = 'on_the_job'): CreditedEntry => ({
  activityType: 'lesson',
  trainingKind,
  occurredAt: new Date(at),
  basisKind: 'minutes',
  basisValue: minutes,
});
const NOW = new Date('2026-06-15T04:00:00Z');

describe('study-hour crediting rules', () => {
  it('credits a lesson of 30 minutes or more as 1 hour, 15-30 as 0.5, under 15 as 0.25', () => {
    expect(creditHours(online, { minutes: 45 })).toBe(1);
    expect(creditHours(online, { minutes: 30 })).toBe(1);
    expect(creditHours(online, { minutes: 29 })).toBe(0.5);
    expect(creditHours(online, { minutes: 15 })).toBe(0.5);
    expect(creditHours(online, { minutes: 14 })).toBe(0.25);
    expect(creditHours(online, { minutes: 1 })).toBe(0.25);
  });

  it('credits a passed test 0.5 hours and recorded hours as recorded', () => {
    expect(creditHours(online, { quizPassed: true })).toBe(0.5);
    expect(creditHours(online, { hours: 3 })).toBe(3);
  });

  it('does not count a test toward continuing education', () => {
    expect(creditHours(ruleOf(policy, 'continuing-education'), { quizPassed: true })).toBe(0);
  });

  it('accepts the shipped policy file and names what is wrong in a broken one', () => {
    expect(checkStudyHoursPolicy(policy)).toEqual([]);
    const broken = {
      ...policy,
      defaultRule: 'nope',
      requirements: [
        { ...policy.requirements[0], rule: 'missing', activityTypes: ['lesson', 'dance'] },
      ],
    };
    const problems = checkStudyHoursPolicy(broken).map(([path]) => path.join('.'));
    expect(problems).toEqual(
      expect.arrayContaining([
        'defaultRule',
        'requirements.0.rule',
        'requirements.0.activityTypes',
      ]),
    );
  });
});

describe('transcript requirement maths', () => {
  it('gives everyone the 50-hour cadre online requirement for the calendar year, counting only this year', () => {
    const [req, ...rest] = evaluateRequirements(
      policy,
      person(),
      [
        lesson(30, '2026-03-01T02:00:00Z'),
        lesson(20, '2026-05-01T02:00:00Z'),
        lesson(30, '2025-12-31T16:30:00Z'),
        lesson(30, '2025-12-31T12:00:00Z'),
      ],
      NOW,
    );
    expect(rest).toEqual([]);
    // 2025-12-31T16:30Z is already 1 January in Shanghai; 12:00Z is still 2025.
    expect(req).toEqual(
      expect.objectContaining({
        key: 'cadre-online',
        periodStart: '2026-01-01',
        periodEnd: '2026-12-31',
        required: 50,
        done: 2.5,
        gap: 47.5,
      }),
    );
  });

  it('raises party-member education from 32 to 56 hours for branch secretaries and committee members', () => {
    const member = evaluateRequirements(policy, person({ partyMember: true }), [], NOW).find(
      (r) => r.key === 'party-education',
    );
    const secretary = evaluateRequirements(policy, person({ isSecretary: true }), [], NOW).find(
      (r) => r.key === 'party-education',
    );
    const committee = evaluateRequirements(
      policy,
      person({ partyMember: true, branchCommittee: true }),
      [],
      NOW,
    ).find((r) => r.key === 'party-education');
    expect([member?.required, secretary?.required, committee?.required]).toEqual([32, 56, 56]);
    expect(
      evaluateRequirements(policy, person(), [], NOW).some((r) => r.key === 'party-education'),
    ).toBe(false);
  });

  it('measures continuing education over the 3-year registration period by level', () => {
    const start = '2024-09-01';
    const entries = [
      lesson(30, '2024-10-01T02:00:00Z'),
      lesson(30, '2024-08-01T02:00:00Z'),
      {
        ...lesson(0, '2026-01-10T02:00:00Z'),
        basisKind: 'quiz' as const,
        basisValue: 1,
        activityType: 'quiz' as const,
      },
    ];
    const assistant = evaluateRequirements(
      policy,
      person({ qualificationLevel: 'assistant', registrationStart: start }),
      entries,
      NOW,
    ).find((r) => r.key === 'continuing-education');
    expect(assistant).toEqual(
      expect.objectContaining({
        periodStart: '2024-09-01',
        periodEnd: '2027-08-31',
        required: 72,
        done: 1,
        gap: 71,
      }),
    );
    const senior = evaluateRequirements(
      policy,
      person({ qualificationLevel: 'senior', registrationStart: '2020-03-01' }),
      [],
      NOW,
    ).find((r) => r.key === 'continuing-education');
    expect(senior).toEqual(
      expect.objectContaining({ periodStart: '2026-03-01', periodEnd: '2029-02-28', required: 90 }),
    );
  });

  it('counts one activity toward every requirement that accepts it, each by its own rule', () => {
    const facts = person({
      partyMember: true,
      qualificationLevel: 'social_worker',
      registrationStart: '2025-01-01',
    });
    const quiz: CreditedEntry = {
      activityType: 'quiz',
      trainingKind: 'on_the_job',
      occurredAt: new Date('2026-02-01T02:00:00Z'),
      basisKind: 'quiz',
      basisValue: 1,
    };
    const studyDay: CreditedEntry = {
      activityType: 'study_day',
      trainingKind: 'special_topic',
      occurredAt: new Date('2026-02-02T02:00:00Z'),
      basisKind: 'hours',
      basisValue: 2,
    };
    const byKey = Object.fromEntries(
      evaluateRequirements(
        policy,
        facts,
        [lesson(40, '2026-02-01T01:00:00Z'), quiz, studyDay],
        NOW,
      ).map((r) => [r.key, r.done]),
    );
    expect(byKey).toEqual({
      'party-education': 3.5,
      'cadre-online': 1.5,
      'continuing-education': 1,
    });
  });

  it('never shows a negative gap and skips inactive people', () => {
    const many = Array.from({ length: 60 }, (_, i) =>
      lesson(30, `2026-02-${String((i % 28) + 1).padStart(2, '0')}T02:00:00Z`),
    );
    expect(evaluateRequirements(policy, person(), many, NOW)[0]).toEqual(
      expect.objectContaining({ done: 60, gap: 0 }),
    );
    expect(evaluateRequirements(policy, person({ active: false }), many, NOW)).toEqual([]);
  });
});
