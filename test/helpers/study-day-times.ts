import { DateTime } from 'luxon';

/**
 * Start and end for a study day scheduled by a test, `minutes` long from `start`, that never runs past midnight in
 * the start's zone (the API refuses one that does: STUDY_DAY_TIMES_INVALID): late in the evening it ends at 23:59,
 * so a meeting tests check in to "soon" keeps its start, inside the check-in window that opens half an hour before
 * it. Only a start at 23:59 itself moves, to a minute past midnight. Tests run late in the evening in Shanghai
 * (after 22:00 a meeting two hours from "now + 10 minutes" crossed midnight, and every such test failed).
 */
export function sameDayTimes(start: DateTime, minutes: number): { start: DateTime; end: DateTime } {
  const end = DateTime.min(start.plus({ minutes }), start.endOf('day').startOf('minute'));
  if (end > start) {
    return { start, end };
  }
  const next = start.plus({ days: 1 }).startOf('day').plus({ minutes: 1 });
  return { start: next, end: next.plus({ minutes }) };
}
