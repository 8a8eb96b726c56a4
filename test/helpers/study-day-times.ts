import { DateTime } from 'luxon';

/**
 * Start and end for a study day scheduled by a test, `minutes` long from `start`, that never runs past midnight in
 * the start's zone (the API refuses one that does: STUDY_DAY_TIMES_INVALID). Where that would leave it shorter than
 * half an hour, it starts a minute after midnight instead: still within the check-in window's half hour before the
 * start, so a meeting that tests check in to "soon" stays open to check-ins. Tests run late in the evening in
 * Shanghai (after 22:00 a meeting two hours from "now + 10 minutes" crossed midnight, and every such test failed).
 */
export function sameDayTimes(start: DateTime, minutes: number): { start: DateTime; end: DateTime } {
  const lastMinute = start.endOf('day').startOf('minute');
  const end = DateTime.min(start.plus({ minutes }), lastMinute);
  if (end.diff(start, 'minutes').minutes >= Math.min(30, minutes)) {
    return { start, end };
  }
  const next = start.plus({ days: 1 }).startOf('day').plus({ minutes: 1 });
  return { start: next, end: next.plus({ minutes }) };
}
