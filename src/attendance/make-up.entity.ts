import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';
import { instantColumn, jsonColumn } from '../database/columns';

/** Make-up study (补学) owed for one missed session: its linked lessons, due by a date. */
@Entity('make_up_assignments')
@Unique('uq_make_up_person_session', ['sessionId', 'userId'])
export class MakeUpEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 36 })
  sessionId!: string;

  @Column({ type: 'varchar', length: 36 })
  userId!: string;

  /** `absent` or `leave`: why it is owed. */
  @Column({ type: 'varchar', length: 16 })
  reason!: string;

  @Column(jsonColumn<string[]>())
  lessonIds!: string[];

  @Column(jsonColumn<string[]>())
  doneLessonIds!: string[];

  /** YYYY-MM-DD in the organisation's zone. */
  @Column({ type: 'varchar', length: 10 })
  dueOn!: string;

  @Column(instantColumn({ nullable: true }))
  doneAt!: Date | null;

  @Column(instantColumn())
  createdAt!: Date;
}
