import { registerPolicySchema, Sourced } from '../policy/policy.service';
import type { Frequency } from './recurrence';

export const MEETING_TYPES = [
  'study_day',
  'committee',
  'group_meeting',
  'general_meeting',
  'party_lecture',
  'org_life_meeting',
  'member_appraisal',
] as const;
export type MeetingType = (typeof MEETING_TYPES)[number];
export const EVIDENCE_PIECES = ['plan', 'materials', 'signInSheet', 'minutes', 'photos'] as const;
export type EvidencePiece = (typeof EVIDENCE_PIECES)[number];

export interface MeetingTypeRule extends Sourced {
  type: MeetingType;
  label: string;
  labelEn: string;
  frequency: Frequency;
  plan: 'own' | 'hostedBy';
  hostedBy?: MeetingType;
  months?: number[];
  minutesBefore?: number;
  durationMinutes?: number;
}

export interface BranchRhythmPolicy {
  meetingTypes: MeetingTypeRule[];
  holidayShift: Sourced & { maxDays: number };
  evidence: Sourced & {
    pieces: EvidencePiece[];
    requiredForHeld: EvidencePiece[];
    maxPhotos: number;
    maxPhotoBytes: number;
  };
}

registerPolicySchema('branch-rhythm', (body) => {
  const problems: Array<[Array<string | number>, string]> = [];
  const types = body.meetingTypes;
  if (!Array.isArray(types)) {
    return [[['meetingTypes'], 'meetingTypes must be a list']];
  }
  types.forEach((t: Partial<MeetingTypeRule>, i) => {
    if (!MEETING_TYPES.includes(t.type as MeetingType)) {
      problems.push([
        ['meetingTypes', i, 'type'],
        `type must be one of ${MEETING_TYPES.join(', ')}`,
      ]);
    }
    if (!['monthly', 'quarterly', 'yearly'].includes(t.frequency as string)) {
      problems.push([
        ['meetingTypes', i, 'frequency'],
        'frequency must be monthly, quarterly or yearly',
      ]);
    }
    if (t.plan !== 'own' && t.plan !== 'hostedBy') {
      problems.push([['meetingTypes', i, 'plan'], 'plan must be own or hostedBy']);
    }
    if (t.plan === 'hostedBy' && !MEETING_TYPES.includes(t.hostedBy as MeetingType)) {
      problems.push([['meetingTypes', i, 'hostedBy'], 'hostedBy must name a meeting type']);
    }
    if (
      t.months !== undefined &&
      (!Array.isArray(t.months) || t.months.some((m) => !Number.isInteger(m) || m < 1 || m > 12))
    ) {
      problems.push([
        ['meetingTypes', i, 'months'],
        'months must be a list of month numbers 1 to 12',
      ]);
    }
  });
  if (!types.some((t: Partial<MeetingTypeRule>) => t.type === 'study_day')) {
    problems.push([['meetingTypes'], 'the study_day type is required']);
  }
  const shift = (body.holidayShift ?? {}) as Record<string, unknown>;
  if (
    !Number.isInteger(shift.maxDays) ||
    (shift.maxDays as number) < 0 ||
    (shift.maxDays as number) > 14
  ) {
    problems.push([['holidayShift', 'maxDays'], 'maxDays must be a whole number from 0 to 14']);
  }
  const evidence = (body.evidence ?? {}) as Record<string, unknown>;
  for (const key of ['pieces', 'requiredForHeld']) {
    const list = evidence[key];
    if (!Array.isArray(list) || list.some((p) => !EVIDENCE_PIECES.includes(p as EvidencePiece))) {
      problems.push([
        ['evidence', key],
        `${key} must list pieces among ${EVIDENCE_PIECES.join(', ')}`,
      ]);
    }
  }
  if (
    !Number.isInteger(evidence.maxPhotos) ||
    (evidence.maxPhotos as number) < 0 ||
    (evidence.maxPhotos as number) > 50
  ) {
    problems.push([['evidence', 'maxPhotos'], 'maxPhotos must be a whole number from 0 to 50']);
  }
  if (
    !Number.isInteger(evidence.maxPhotoBytes) ||
    (evidence.maxPhotoBytes as number) < 1024 ||
    (evidence.maxPhotoBytes as number) > 5 * 1024 * 1024
  ) {
    problems.push([['evidence', 'maxPhotoBytes'], 'maxPhotoBytes must be from 1024 to 5242880']);
  }
  return problems;
});
