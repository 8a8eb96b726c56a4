import { DateTime } from 'luxon';
import { isWithinHolidayShift } from './recurrence';
import { EvidencePiece } from './branch-rhythm.policy';
import { StudyDayEntity } from './study-day.entity';

export interface StudyDayView {
  id: string;
  orgId: string;
  seriesId: string | null;
  meetingTypes: string[];
  topic: string;
  place: string;
  agenda: string;
  lessonIds: string[];
  /** ISO 8601 with the organisation's offset, e.g. 2026-12-15T09:00:00+08:00. */
  startsAt: string;
  endsAt: string;
  localDate: string;
  originalDate: string;
  /** Days moved from the rule's date (negative: earlier). */
  shiftedDays: number;
  /** Still counts as the regular meeting (moved by at most the policy's holiday shift). */
  regular: boolean;
  status: 'scheduled' | 'cancelled';
  changeReason: string | null;
  sequence: number;
  zone: string;
}

export interface EvidenceView {
  pieces: Array<{ key: EvidencePiece; present: boolean; required: boolean }>;
  held: boolean;
}

export function isoIn(date: Date, zone: string): string {
  return (
    DateTime.fromJSDate(date, { zone }).toISO({ suppressMilliseconds: true }) ?? date.toISOString()
  );
}

export function toStudyDayView(d: StudyDayEntity, maxShiftDays: number): StudyDayView {
  const shiftedDays = Math.round(
    (DateTime.fromISO(d.localDate, { zone: 'utc' }).toMillis() -
      DateTime.fromISO(d.originalDate, { zone: 'utc' }).toMillis()) /
      86_400_000,
  );
  return {
    id: d.id,
    orgId: d.orgId,
    seriesId: d.seriesId,
    meetingTypes: d.meetingTypes,
    topic: d.topic,
    place: d.place,
    agenda: d.agenda,
    lessonIds: d.lessonIds,
    startsAt: isoIn(d.startsAt, d.zone),
    endsAt: isoIn(d.endsAt, d.zone),
    localDate: d.localDate,
    originalDate: d.originalDate,
    shiftedDays,
    regular: isWithinHolidayShift(
      new Date(`${d.originalDate}T00:00:00Z`),
      new Date(`${d.localDate}T00:00:00Z`),
      maxShiftDays,
    ),
    status: d.status === 'cancelled' ? 'cancelled' : 'scheduled',
    changeReason: d.changeReason,
    sequence: d.sequence,
    zone: d.zone,
  };
}

/** Evidence pieces present for a meeting, and whether the required ones make it count as held. */
export function evidenceOf(
  d: StudyDayEntity,
  facts: { attendanceRecords: number; photos: number; now: Date },
  policy: { pieces: EvidencePiece[]; requiredForHeld: EvidencePiece[] },
): EvidenceView {
  const present: Record<EvidencePiece, boolean> = {
    plan: d.evidence.plan || d.agenda.trim() !== '',
    materials: d.evidence.materials || d.lessonIds.length > 0,
    signInSheet: d.evidence.signInSheet || facts.attendanceRecords > 0,
    minutes: (d.minutes ?? '').trim() !== '',
    photos: facts.photos > 0,
  };
  const pieces = policy.pieces.map((key) => ({
    key,
    present: present[key],
    required: policy.requiredForHeld.includes(key),
  }));
  const held =
    d.status !== 'cancelled' &&
    d.startsAt.getTime() <= facts.now.getTime() &&
    policy.requiredForHeld.every((k) => present[k]);
  return { pieces, held };
}
