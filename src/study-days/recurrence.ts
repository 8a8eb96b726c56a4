import { DateTime, Info } from 'luxon';

export const DEFAULT_ZONE = 'Asia/Shanghai';

export type Weekday = 'MO' | 'TU' | 'WE' | 'TH' | 'FR' | 'SA' | 'SU';

/**
 * A fixed day of the month (1..31), or the n-th weekday (nth 1..5, where 5 means the last one).
 */
export type MonthlyRule = { day: number } | { weekday: Weekday; nth: number };

export type MonthlyExpansion = {
  rule: MonthlyRule;
  /** Local wall-clock time, HH:mm. */
  startTime: string;
  /** Local wall-clock time, HH:mm, same day and after startTime. */
  endTime: string;
  /** IANA zone, e.g. Asia/Shanghai. */
  zone: string;
  /** YYYY-MM-DD, inclusive: the series starts here, so earlier days of that month are skipped. */
  from: string;
  /** YYYY-MM-DD, inclusive. */
  until: string;
};

export type Occurrence = { startsAt: Date; endsAt: Date; localDate: string };

export type Frequency = 'monthly' | 'quarterly' | 'yearly';

export type RecurrenceErrorCode =
  | 'INVALID_RULE'
  | 'INVALID_TIME'
  | 'END_BEFORE_START'
  | 'INVALID_DATE'
  | 'UNTIL_BEFORE_FROM'
  | 'RANGE_TOO_LONG'
  | 'INVALID_ZONE'
  | 'INVALID_FREQUENCY'
  | 'INVALID_SHIFT';

export class RecurrenceError extends Error {
  constructor(
    readonly code: RecurrenceErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RecurrenceError';
  }
}

export const MAX_RANGE_YEARS = 5;

const WEEKDAYS: Record<Weekday, number> = { MO: 1, TU: 2, WE: 3, TH: 4, FR: 5, SA: 6, SU: 7 };
const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** Every occurrence of a monthly rule between from and until (both inclusive), in date order. */
export function expandMonthly(opts: MonthlyExpansion): Occurrence[] {
  const zone = checkZone(opts.zone);
  const pickDay = dayPicker(opts.rule);
  const start = parseTime(opts.startTime, 'startTime');
  const end = parseTime(opts.endTime, 'endTime');
  if (end.hour * 60 + end.minute <= start.hour * 60 + start.minute) {
    throw new RecurrenceError('END_BEFORE_START', 'endTime must be after startTime');
  }
  const from = parseDate(opts.from, 'from', zone);
  const until = parseDate(opts.until, 'until', zone);
  if (until < from) {
    throw new RecurrenceError('UNTIL_BEFORE_FROM', 'until must not be before from');
  }
  if (until > from.plus({ years: MAX_RANGE_YEARS })) {
    throw new RecurrenceError(
      'RANGE_TOO_LONG',
      `a series may span at most ${MAX_RANGE_YEARS} years`,
    );
  }

  const occurrences: Occurrence[] = [];
  for (let month = from.startOf('month'); month <= until; month = month.plus({ months: 1 })) {
    const day = month.set({ day: pickDay(month) });
    if (day < from || day > until) {
      continue;
    }
    // In zones with daylight saving, a time in the spring gap moves forward (luxon's rule).
    const startsAt = day.set({ hour: start.hour, minute: start.minute });
    const endsAt = day.set({ hour: end.hour, minute: end.minute });
    occurrences.push({
      startsAt: startsAt.toUTC().toJSDate(),
      endsAt: endsAt.toUTC().toJSDate(),
      localDate: day.toFormat('yyyy-MM-dd'),
    });
  }
  return occurrences;
}

/** The rhythm period a meeting at `date` counts toward: 2026-03, 2026-Q1 or 2026, in the local zone. */
export function periodKey(frequency: Frequency, date: Date, zone: string = DEFAULT_ZONE): string {
  const local = DateTime.fromJSDate(date, { zone: checkZone(zone) });
  if (!local.isValid) {
    throw new RecurrenceError('INVALID_DATE', 'date is not a valid date');
  }
  switch (frequency) {
    case 'monthly':
      return local.toFormat('yyyy-MM');
    case 'quarterly':
      return `${local.toFormat('yyyy')}-Q${local.quarter}`;
    case 'yearly':
      return local.toFormat('yyyy');
    default:
      return unknownFrequency(frequency);
  }
}

/** All period keys of a year, in order, to lay a branch's meetings against. */
export function periodsOfYear(frequency: Frequency, year: number): string[] {
  if (!Number.isInteger(year) || year < 1 || year > 9999) {
    throw new RecurrenceError('INVALID_DATE', 'year must be an integer from 1 to 9999');
  }
  const yyyy = String(year).padStart(4, '0');
  switch (frequency) {
    case 'monthly':
      return Array.from({ length: 12 }, (_, i) => `${yyyy}-${String(i + 1).padStart(2, '0')}`);
    case 'quarterly':
      return [1, 2, 3, 4].map((q) => `${yyyy}-Q${q}`);
    case 'yearly':
      return [yyyy];
    default:
      return unknownFrequency(frequency);
  }
}

/**
 * Whether a moved occurrence still counts as the regular one: a public holiday may push a study day
 * earlier or later by up to maxDays without breaking the branch's regularity.
 */
export function isWithinHolidayShift(original: Date, moved: Date, maxDays = 7): boolean {
  if (!Number.isFinite(maxDays) || maxDays < 0) {
    throw new RecurrenceError('INVALID_SHIFT', 'maxDays must be a non-negative number');
  }
  const a = original.getTime();
  const b = moved.getTime();
  if (Number.isNaN(a) || Number.isNaN(b)) {
    throw new RecurrenceError('INVALID_DATE', 'original and moved must be valid dates');
  }
  return Math.abs(b - a) <= maxDays * 24 * 60 * 60 * 1000;
}

function dayPicker(rule: MonthlyRule): (month: DateTime) => number {
  if (typeof rule !== 'object' || rule === null) {
    throw new RecurrenceError('INVALID_RULE', 'rule must be { day } or { weekday, nth }');
  }
  const hasDay = 'day' in rule;
  const hasWeekday = 'weekday' in rule || 'nth' in rule;
  if (hasDay === hasWeekday) {
    throw new RecurrenceError('INVALID_RULE', 'rule must be either { day } or { weekday, nth }');
  }
  if ('day' in rule) {
    const { day } = rule;
    if (!Number.isInteger(day) || day < 1 || day > 31) {
      throw new RecurrenceError('INVALID_RULE', 'day must be an integer from 1 to 31');
    }
    // "The 31st" in a shorter month means its last day, so every month still has its meeting.
    return (month) => Math.min(day, month.daysInMonth ?? 28);
  }
  const { weekday, nth } = rule;
  if (typeof weekday !== 'string' || !Object.hasOwn(WEEKDAYS, weekday)) {
    throw new RecurrenceError('INVALID_RULE', 'weekday must be one of MO TU WE TH FR SA SU');
  }
  const target = WEEKDAYS[weekday];
  if (!Number.isInteger(nth) || nth < 1 || nth > 5) {
    throw new RecurrenceError('INVALID_RULE', 'nth must be an integer from 1 to 5');
  }
  if (nth === 5) {
    // A fifth weekday exists in only some months, so 5 means "the last".
    return (month) => {
      const last = month.endOf('month');
      return last.day - ((last.weekday - target + 7) % 7);
    };
  }
  return (month) => 1 + ((target - month.weekday + 7) % 7) + 7 * (nth - 1);
}

function parseTime(value: string, field: string): { hour: number; minute: number } {
  const match = typeof value === 'string' ? TIME_RE.exec(value) : null;
  if (!match) {
    throw new RecurrenceError('INVALID_TIME', `${field} must be HH:mm (00:00 to 23:59)`);
  }
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

function parseDate(value: string, field: string, zone: string): DateTime {
  const date =
    typeof value === 'string' && DATE_RE.test(value)
      ? DateTime.fromISO(value, { zone })
      : DateTime.invalid('format');
  if (!date.isValid) {
    throw new RecurrenceError('INVALID_DATE', `${field} must be a real date, YYYY-MM-DD`);
  }
  return date;
}

function checkZone(zone: string): string {
  if (typeof zone !== 'string' || !Info.isValidIANAZone(zone)) {
    throw new RecurrenceError('INVALID_ZONE', `unknown time zone: ${String(zone)}`);
  }
  return zone;
}

function unknownFrequency(frequency: never): never {
  throw new RecurrenceError('INVALID_FREQUENCY', `unknown frequency: ${String(frequency)}`);
}
