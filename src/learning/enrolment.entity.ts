import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';
import { instantColumn } from '../database/columns';

/** One person in one course, tied to the version they study (a later version never rewrites their record). */
@Entity('enrolments')
@Unique('uq_enrolments_user_course', ['userId', 'courseId'])
export class EnrolmentEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'varchar', length: 36 })
  courseId!: string;

  @Column({ type: 'varchar', length: 36 })
  versionId!: string;

  /** The secretary who assigned it; null when the person enrolled themselves. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  assignedBy!: string | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  dueDate!: string | null;

  @Column(instantColumn())
  enrolledAt!: Date;

  @Column(instantColumn({ nullable: true }))
  startedAt!: Date | null;

  @Column(instantColumn({ nullable: true }))
  completedAt!: Date | null;

  /** Where to resume. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  lastLessonId!: string | null;

  @Column(instantColumn({ nullable: true }))
  lastViewedAt!: Date | null;
}
