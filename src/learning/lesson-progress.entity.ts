import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';
import { instantColumn } from '../database/columns';

@Entity('lesson_progress')
@Unique('uq_lesson_progress_user_lesson', ['userId', 'lessonId'])
export class LessonProgressEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'varchar', length: 36 })
  lessonId!: string;

  @Column({ type: 'varchar', length: 36 })
  courseId!: string;

  @Column({ type: 'varchar', length: 36 })
  versionId!: string;

  /** The lesson's stable key, so the same lesson in a later version is recognised as already done. */
  @Column({ type: 'varchar', length: 80 })
  lessonKey!: string;

  @Column(instantColumn())
  firstViewedAt!: Date;

  @Column(instantColumn())
  lastViewedAt!: Date;

  @Column(instantColumn({ nullable: true }))
  completedAt!: Date | null;
}
