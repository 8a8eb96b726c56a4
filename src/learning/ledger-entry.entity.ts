import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';
import { hoursColumn, instantColumn } from '../database/columns';

export const ACTIVITY_TYPES = ['lesson', 'quiz', 'study_day', 'session', 'task', 'manual'] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];
export type BasisKind = 'minutes' | 'quiz' | 'hours';

/** One credited activity of one person; the unique constraint makes a second credit impossible. */
@Entity('study_hour_ledger')
@Unique('uq_ledger_user_activity', ['userId', 'activityType', 'activityId'])
export class LedgerEntryEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'varchar', length: 16 })
  activityType!: ActivityType;

  @Column({ type: 'varchar', length: 100 })
  activityId!: string;

  /** Hours by the default crediting rule; each requirement may re-weigh the basis by its own rule. */
  @Column(hoursColumn())
  hours!: number;

  @Column({ type: 'varchar', length: 16 })
  trainingKind!: string;

  @Column(instantColumn())
  occurredAt!: Date;

  /** Calendar year of `occurredAt` in Asia/Shanghai. */
  @Column({ type: 'integer' })
  year!: number;

  @Column({ type: 'varchar', length: 300 })
  title!: string;

  @Column({ type: 'varchar', length: 80, nullable: true })
  courseSlug!: string | null;

  /** What the hours were worked out from: minutes of a lesson, a passed quiz, or hours recorded by a session. */
  @Column({ type: 'varchar', length: 8 })
  basisKind!: BasisKind;

  @Column(hoursColumn())
  basisValue!: number;

  @Column(instantColumn())
  recordedAt!: Date;
}
