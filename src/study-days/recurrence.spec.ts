import {
  expandMonthly,
  isWithinHolidayShift,
  MonthlyExpansion,
  periodKey,
  periodsOfYear,
  RecurrenceError,
} from './recurrence';

const SHANGHAI = 'Asia/Shanghai';

function expansion(overrides: Partial<MonthlyExpansion> = {}): MonthlyExpansion {
  return {
    rule: { day: 15 },
    startTime: '09:00',
    endTime: '11:00',
    zone: SHANGHAI,
    from: '2027-01-01',
    until: '2027-12-31',
    ...overrides,
  };
}

function errorCode(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof RecurrenceError) {
      return error.code;
    }
    throw error;
  }
  return undefined;
}

describe('expandMonthly', () => {
  it('puts a series on the 31st on the last day of each shorter month, once a month', () => {
    const dates = expandMonthly(expansion({ rule: { day: 31 } })).map((o) => o.localDate);

    expect(dates).toEqual([
      '2027-01-31',
      '2027-02-28',
      '2027-03-31',
      '2027-04-30',
      '2027-05-31',
      '2027-06-30',
      '2027-07-31',
      '2027-08-31',
      '2027-09-30',
      '2027-10-31',
      '2027-11-30',
      '2027-12-31',
    ]);
  });

  it('falls on 29 February in a leap year for a series on the 31st', () => {
    const dates = expandMonthly(
      expansion({ rule: { day: 31 }, from: '2028-02-01', until: '2028-03-31' }),
    ).map((o) => o.localDate);

    expect(dates).toEqual(['2028-02-29', '2028-03-31']);
  });

  it('finds the first Friday of every month of 2027', () => {
    const dates = expandMonthly(expansion({ rule: { weekday: 'FR', nth: 1 } })).map(
      (o) => o.localDate,
    );

    // Checked against a printed 2027 calendar.
    expect(dates).toEqual([
      '2027-01-01',
      '2027-02-05',
      '2027-03-05',
      '2027-04-02',
      '2027-05-07',
      '2027-06-04',
      '2027-07-02',
      '2027-08-06',
      '2027-09-03',
      '2027-10-01',
      '2027-11-05',
      '2027-12-03',
    ]);
  });

  it('reads nth 5 as the last such weekday, even in months with only four', () => {
    const dates = expandMonthly(expansion({ rule: { weekday: 'MO', nth: 5 } })).map(
      (o) => o.localDate,
    );

    expect(dates).toEqual([
      '2027-01-25',
      '2027-02-22',
      '2027-03-29',
      '2027-04-26',
      '2027-05-31',
      '2027-06-28',
      '2027-07-26',
      '2027-08-30',
      '2027-09-27',
      '2027-10-25',
      '2027-11-29',
      '2027-12-27',
    ]);
  });

  it('finds the third Wednesday', () => {
    const [first] = expandMonthly(expansion({ rule: { weekday: 'WE', nth: 3 } }));

    expect(first.localDate).toBe('2027-01-20');
  });

  it('returns UTC instants for local times in Asia/Shanghai (09:00 local is 01:00Z)', () => {
    const [first] = expandMonthly(expansion({ rule: { day: 5 }, startTime: '09:00' }));

    expect(first.startsAt.toISOString()).toBe('2027-01-05T01:00:00.000Z');
    expect(first.endsAt.toISOString()).toBe('2027-01-05T03:00:00.000Z');
  });

  it('keeps the local date when early morning local time is the previous day in UTC', () => {
    const [first] = expandMonthly(
      expansion({ rule: { day: 1 }, startTime: '07:30', endTime: '08:30' }),
    );

    expect(first.localDate).toBe('2027-01-01');
    expect(first.startsAt.toISOString()).toBe('2026-12-31T23:30:00.000Z');
  });

  it('follows daylight saving in a zone that has it', () => {
    const occurrences = expandMonthly(
      expansion({
        zone: 'Europe/Berlin',
        rule: { day: 10 },
        from: '2027-01-01',
        until: '2027-07-31',
      }),
    );

    expect(occurrences[0].startsAt.toISOString()).toBe('2027-01-10T08:00:00.000Z');
    expect(occurrences[6].startsAt.toISOString()).toBe('2027-07-10T07:00:00.000Z');
  });

  it('skips the days of the first month that come before from', () => {
    const dates = expandMonthly(
      expansion({ rule: { day: 10 }, from: '2027-01-15', until: '2027-03-10' }),
    ).map((o) => o.localDate);

    expect(dates).toEqual(['2027-02-10', '2027-03-10']);
  });

  it('includes an occurrence on the until day', () => {
    const dates = expandMonthly(
      expansion({ rule: { day: 10 }, from: '2027-01-10', until: '2027-01-10' }),
    ).map((o) => o.localDate);

    expect(dates).toEqual(['2027-01-10']);
  });

  it.each<[string, Partial<MonthlyExpansion>, string]>([
    ['a time without a leading zero', { startTime: '9:00' }, 'INVALID_TIME'],
    ['an hour of 24', { endTime: '24:00' }, 'INVALID_TIME'],
    ['an end before the start', { startTime: '10:00', endTime: '09:30' }, 'END_BEFORE_START'],
    ['an end equal to the start', { startTime: '10:00', endTime: '10:00' }, 'END_BEFORE_START'],
    ['an impossible date', { from: '2027-02-30' }, 'INVALID_DATE'],
    ['a date with a time', { until: '2027-12-31T00:00' }, 'INVALID_DATE'],
    ['until before from', { from: '2027-06-01', until: '2027-05-31' }, 'UNTIL_BEFORE_FROM'],
    ['a range over five years', { until: '2032-01-02' }, 'RANGE_TOO_LONG'],
    ['an unknown zone', { zone: 'Asia/Beijing' }, 'INVALID_ZONE'],
    ['day 0', { rule: { day: 0 } }, 'INVALID_RULE'],
    ['day 32', { rule: { day: 32 } }, 'INVALID_RULE'],
    ['a fractional day', { rule: { day: 1.5 } }, 'INVALID_RULE'],
    ['nth 6', { rule: { weekday: 'MO', nth: 6 } }, 'INVALID_RULE'],
    ['nth 0', { rule: { weekday: 'MO', nth: 0 } }, 'INVALID_RULE'],
  ])('refuses %s', (_label, overrides, code) => {
    expect(errorCode(() => expandMonthly(expansion(overrides)))).toBe(code);
  });

  it('refuses an unknown weekday and a rule that mixes both forms', () => {
    const badWeekday = { weekday: 'XX', nth: 1 } as unknown as MonthlyExpansion['rule'];
    const mixed = { day: 1, weekday: 'MO', nth: 1 } as unknown as MonthlyExpansion['rule'];

    expect(errorCode(() => expandMonthly(expansion({ rule: badWeekday })))).toBe('INVALID_RULE');
    expect(errorCode(() => expandMonthly(expansion({ rule: mixed })))).toBe('INVALID_RULE');
  });

  it('accepts a range of exactly five years', () => {
    const occurrences = expandMonthly(expansion({ until: '2032-01-01' }));

    expect(occurrences).toHaveLength(60);
  });
});

describe('periodKey', () => {
  it('names the month, quarter and year a meeting falls in, in local time', () => {
    // 2026-03-31 17:00Z is already 1 April in Shanghai.
    const lateEvening = new Date('2026-03-31T17:00:00Z');

    expect(periodKey('monthly', lateEvening, SHANGHAI)).toBe('2026-04');
    expect(periodKey('quarterly', lateEvening, SHANGHAI)).toBe('2026-Q2');
    expect(periodKey('yearly', new Date('2026-12-31T16:30:00Z'), SHANGHAI)).toBe('2027');
  });

  it('defaults to Asia/Shanghai', () => {
    expect(periodKey('monthly', new Date('2026-03-01T00:00:00+08:00'))).toBe('2026-03');
  });

  it('refuses an invalid date', () => {
    expect(errorCode(() => periodKey('monthly', new Date('nope'), SHANGHAI))).toBe('INVALID_DATE');
  });
});

describe('periodsOfYear', () => {
  it('lists every period a branch must cover in a year', () => {
    expect(periodsOfYear('monthly', 2026)).toEqual([
      '2026-01',
      '2026-02',
      '2026-03',
      '2026-04',
      '2026-05',
      '2026-06',
      '2026-07',
      '2026-08',
      '2026-09',
      '2026-10',
      '2026-11',
      '2026-12',
    ]);
    expect(periodsOfYear('quarterly', 2026)).toEqual(['2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4']);
    expect(periodsOfYear('yearly', 2026)).toEqual(['2026']);
  });

  it('uses the same keys as periodKey, so meetings can be matched to periods', () => {
    const meetings = expandMonthly(expansion({ from: '2026-01-01', until: '2026-12-31' }));
    const held = new Set(meetings.map((m) => periodKey('quarterly', m.startsAt, SHANGHAI)));

    expect(periodsOfYear('quarterly', 2026).every((q) => held.has(q))).toBe(true);
  });

  it('refuses a year that is not a whole number', () => {
    expect(errorCode(() => periodsOfYear('monthly', 2026.5))).toBe('INVALID_DATE');
  });
});

describe('isWithinHolidayShift', () => {
  const original = new Date('2027-10-01T01:00:00Z');

  it('accepts a study day moved by up to a week either way', () => {
    expect(isWithinHolidayShift(original, new Date('2027-10-08T01:00:00Z'))).toBe(true);
    expect(isWithinHolidayShift(original, new Date('2027-09-24T01:00:00Z'))).toBe(true);
  });

  it('refuses a move of more than a week', () => {
    expect(isWithinHolidayShift(original, new Date('2027-10-08T01:00:01Z'))).toBe(false);
  });

  it('honours a custom limit', () => {
    expect(isWithinHolidayShift(original, new Date('2027-10-04T01:00:00Z'), 2)).toBe(false);
  });

  it('refuses a negative limit', () => {
    expect(errorCode(() => isWithinHolidayShift(original, original, -1))).toBe('INVALID_SHIFT');
  });
});
