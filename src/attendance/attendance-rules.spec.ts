import {
  addDays,
  arrivalStatus,
  computeRates,
  isLiable,
  RateRow,
  windowFor,
  windowState,
} from './attendance-rules';

describe('attendance rules', () => {
  const startsAt = new Date('2026-12-15T01:00:00Z');
  const endsAt = new Date('2026-12-15T03:00:00Z');
  const window = {
    ...windowFor(startsAt, endsAt, { opensMinutesBefore: 30, closesMinutesAfter: 0 }),
    startsAt,
    graceMinutes: 10,
  };

  it('opens the window 30 minutes before the start, inclusive, and closes it at the end, exclusive', () => {
    expect(windowState(window, new Date('2026-12-15T00:29:59.999Z'))).toBe('not_open');
    expect(windowState(window, new Date('2026-12-15T00:30:00Z'))).toBe('open');
    expect(windowState(window, new Date('2026-12-15T02:59:59.999Z'))).toBe('open');
    expect(windowState(window, new Date('2026-12-15T03:00:00Z'))).toBe('closed');
  });

  it('counts arrival up to start plus grace as present and after it as late', () => {
    expect(arrivalStatus(window, new Date('2026-12-15T00:45:00Z'))).toBe('present');
    expect(arrivalStatus(window, new Date('2026-12-15T01:10:00Z'))).toBe('present');
    expect(arrivalStatus(window, new Date('2026-12-15T01:10:00.001Z'))).toBe('late');
  });

  it('holds a member liable from the day they joined until the day before they left', () => {
    expect(isLiable({ joinedOn: '2026-06-01', leftOn: null }, '2026-05-31')).toBe(false);
    expect(isLiable({ joinedOn: '2026-06-01', leftOn: null }, '2026-06-01')).toBe(true);
    expect(isLiable({ joinedOn: '2026-06-01', leftOn: '2026-09-10' }, '2026-09-09')).toBe(true);
    expect(isLiable({ joinedOn: '2026-06-01', leftOn: '2026-09-10' }, '2026-09-10')).toBe(false);
  });

  it('computes attendance and commitment rates separately', () => {
    const rows: RateRow[] = [
      { status: 'present', makeUpDone: null },
      { status: 'late', makeUpDone: null },
      { status: 'proxy', makeUpDone: null },
      { status: 'home_visit', makeUpDone: null },
      { status: 'leave', makeUpDone: true },
      { status: 'leave', makeUpDone: false },
      { status: 'absent', makeUpDone: true },
      { status: 'absent', makeUpDone: false },
    ];
    const rates = computeRates(rows);
    expect(rates).toMatchObject({
      liable: 8,
      attended: 4,
      leave: 2,
      leaveMadeUp: 1,
      absent: 2,
      absentMadeUp: 1,
    });
    expect(rates.attendanceRate).toBe(4 / 8);
    // A made-up absence is still an absence: only leave whose make-up is done adds to commitment.
    expect(rates.commitmentRate).toBe(5 / 8);
  });

  it('treats leave with nothing to make up as committed, and answers null when nobody was liable', () => {
    expect(computeRates([{ status: 'leave', makeUpDone: null }]).commitmentRate).toBe(1);
    expect(computeRates([])).toMatchObject({
      attendanceRate: null,
      commitmentRate: null,
      liable: 0,
    });
  });

  it('adds calendar days across month ends and leap days', () => {
    expect(addDays('2028-02-15', 30)).toBe('2028-03-16');
    expect(addDays('2026-12-20', 30)).toBe('2027-01-19');
  });
});
