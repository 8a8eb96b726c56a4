import { Column, Entity, PrimaryColumn } from 'typeorm';
import { hoursColumn, instantColumn, jsonColumn } from '../database/columns';

export const SESSION_TYPES = ['study_day', 'training_session'] as const;
export type SessionType = (typeof SESSION_TYPES)[number];

/**
 * Anything people check in to: a branch's study day (same id as the study-day occurrence) or an in-person
 * session of a training course. Window and grace are copied from the policy when the session is made, so a
 * later policy change never rewrites a past meeting.
 */
@Entity('attendance_sessions')
export class AttendanceSessionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 24 })
  sessionType!: SessionType;

  /** The branch (study day) or organisation (training session) whose members are expected. */
  @Column({ type: 'varchar', length: 36 })
  orgId!: string;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column(instantColumn())
  startsAt!: Date;

  @Column(instantColumn())
  endsAt!: Date;

  @Column(instantColumn())
  opensAt!: Date;

  @Column(instantColumn())
  closesAt!: Date;

  @Column({ type: 'integer' })
  graceMinutes!: number;

  /** Local date of the meeting in the organisation's zone, for liability by joined/left dates. */
  @Column({ type: 'varchar', length: 10 })
  localDate!: string;

  /** Set when the secretary opens check-in; never leaves the server except as codes. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  checkInSecret!: string | null;

  @Column(instantColumn({ nullable: true }))
  checkInOpenedAt!: Date | null;

  @Column(instantColumn({ nullable: true }))
  closedAt!: Date | null;

  @Column(instantColumn({ nullable: true }))
  cancelledAt!: Date | null;

  /** Lessons absentees and members on leave study as make-up. */
  @Column(jsonColumn<string[]>())
  lessonIds!: string[];

  /** Study hours credited to each attendee of a training session (null: the meeting's length is credited). */
  @Column(hoursColumn({ nullable: true }))
  creditHours!: number | null;

  @Column({ type: 'varchar', length: 24, nullable: true })
  trainingKind!: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  courseSlug!: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  place!: string | null;

  @Column(instantColumn())
  createdAt!: Date;
}
