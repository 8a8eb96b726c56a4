/** Pure rules of the attendance engine: the check-in window, lateness, liability and the two rates. */

export const ATTENDANCE_STATUSES = [
  'present',
  'late',
  'leave',
  'absent',
  'proxy',
  'home_visit',
] as const;
export type AttendanceStatus = (typeof ATTENDANCE_STATUSES)[number];
/** Statuses a secretary may record for someone else (check-in on their behalf, a visit at home, a correction). */
export const RECORDABLE_STATUSES = [
  'present',
  'late',
  'proxy',
  'home_visit',
  'leave',
  'absent',
] as const;
export type RecordableStatus = (typeof RECORDABLE_STATUSES)[number];
/** Being there in person, checked in by someone else, or visited at home all count as attending. */
export const ATTENDED: readonly AttendanceStatus[] = ['present', 'late', 'proxy', 'home_visit'];

export type WindowState = 'not_open' | 'open' | 'closed';

export interface CheckInWindow {
  opensAt: Date;
  closesAt: Date;
  startsAt: Date;
  graceMinutes: number;
}

/** Inclusive start, exclusive end, all compared in UTC milliseconds. */
export function windowState(
  window: Pick<CheckInWindow, 'opensAt' | 'closesAt'>,
  at: Date,
): WindowState {
  const t = at.getTime();
  if (t < window.opensAt.getTime()) {
    return 'not_open';
  }
  return t < window.closesAt.getTime() ? 'open' : 'closed';
}

/** Present up to and including start + grace; late after that. */
export function arrivalStatus(
  window: Pick<CheckInWindow, 'startsAt' | 'graceMinutes'>,
  at: Date,
): 'present' | 'late' {
  return at.getTime() > window.startsAt.getTime() + window.graceMinutes * 60_000
    ? 'late'
    : 'present';
}

/** The window a new session gets from the policy numbers. */
export function windowFor(
  startsAt: Date,
  endsAt: Date,
  policy: { opensMinutesBefore: number; closesMinutesAfter: number },
): { opensAt: Date; closesAt: Date } {
  return {
    opensAt: new Date(startsAt.getTime() - policy.opensMinutesBefore * 60_000),
    closesAt: new Date(endsAt.getTime() + policy.closesMinutesAfter * 60_000),
  };
}

export interface Membership {
  /** YYYY-MM-DD, local date. */
  joinedOn: string;
  leftOn: string | null;
}

/** A member is liable for a meeting held on `localDate` from the day they joined until the day before they left. */
export function isLiable(membership: Membership, localDate: string): boolean {
  return (
    membership.joinedOn <= localDate &&
    (membership.leftOn === null || membership.leftOn > localDate)
  );
}

/** One liable person at one closed session. `makeUpDone` is null when nothing was owed (no linked lessons). */
export interface RateRow {
  status: AttendanceStatus;
  makeUpDone: boolean | null;
}

export interface Rates {
  liable: number;
  present: number;
  late: number;
  proxy: number;
  homeVisit: number;
  leave: number;
  leaveMadeUp: number;
  absent: number;
  absentMadeUp: number;
  attended: number;
  /** (present + late + proxy + home visit) / liable; null when nobody was liable. */
  attendanceRate: number | null;
  /** (attended + leave whose make-up is done) / liable. */
  commitmentRate: number | null;
}

export function computeRates(rows: readonly RateRow[]): Rates {
  const count = (s: AttendanceStatus) => rows.filter((r) => r.status === s).length;
  const present = count('present');
  const late = count('late');
  const proxy = count('proxy');
  const homeVisit = count('home_visit');
  const leaveRows = rows.filter((r) => r.status === 'leave');
  // Leave with nothing to make up (no linked lessons) is kept as committed: nothing was owed.
  const leaveMadeUp = leaveRows.filter((r) => r.makeUpDone !== false).length;
  const absentRows = rows.filter((r) => r.status === 'absent');
  const attended = present + late + proxy + homeVisit;
  const liable = rows.length;
  return {
    liable,
    present,
    late,
    proxy,
    homeVisit,
    leave: leaveRows.length,
    leaveMadeUp,
    absent: absentRows.length,
    absentMadeUp: absentRows.filter((r) => r.makeUpDone === true).length,
    attended,
    attendanceRate: liable === 0 ? null : attended / liable,
    commitmentRate: liable === 0 ? null : (attended + leaveMadeUp) / liable,
  };
}

/** YYYY-MM-DD plus n days, as a calendar date (no time zone involved). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
