import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';
import { hoursColumn, instantColumn } from '../database/columns';

export const TASK_STATUSES = ['submitted', 'signed_off'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** A learner's work on one practical task (a lesson of kind practical_task) and the mentor's sign-off. */
@Entity('practical_task_submissions')
@Unique('uq_task_submission', ['userId', 'lessonId'])
export class TaskSubmissionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'varchar', length: 36 })
  lessonId!: string;

  @Column({ type: 'varchar', length: 64 })
  courseSlug!: string;

  @Column({ type: 'varchar', length: 200 })
  lessonTitle!: string;

  @Column({ type: 'varchar', length: 2000, nullable: true })
  note!: string | null;

  @Column(instantColumn())
  submittedAt!: Date;

  @Column({ type: 'varchar', length: 16, default: 'submitted' })
  status!: TaskStatus;

  @Column({ type: 'varchar', length: 36, nullable: true })
  mentorId!: string | null;

  @Column({ type: 'varchar', length: 2000, nullable: true })
  mentorNote!: string | null;

  @Column(instantColumn({ nullable: true }))
  signedOffAt!: Date | null;

  @Column(hoursColumn({ nullable: true }))
  hours!: number | null;
}
