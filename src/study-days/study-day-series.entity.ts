import { Column, Entity, PrimaryColumn } from 'typeorm';
import { instantColumn, jsonColumn } from '../database/columns';
import type { MonthlyRule } from './recurrence';

/** A branch's recurring meeting: the rule and the defaults its future occurrences take. */
@Entity('study_day_series')
export class StudyDaySeriesEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 36 })
  orgId!: string;

  @Column(jsonColumn<string[]>())
  meetingTypes!: string[];

  @Column(jsonColumn<MonthlyRule>())
  rule!: MonthlyRule;

  /** Local wall-clock times HH:mm in `zone`. */
  @Column({ type: 'varchar', length: 5 })
  startTime!: string;

  @Column({ type: 'varchar', length: 5 })
  endTime!: string;

  @Column({ type: 'varchar', length: 64 })
  zone!: string;

  @Column({ type: 'varchar', length: 10 })
  fromDate!: string;

  @Column({ type: 'varchar', length: 10 })
  untilDate!: string;

  @Column({ type: 'varchar', length: 200 })
  topic!: string;

  @Column({ type: 'varchar', length: 200 })
  place!: string;

  @Column({ type: 'text' })
  agenda!: string;

  @Column(jsonColumn<string[]>())
  lessonIds!: string[];

  @Column({ type: 'varchar', length: 36, nullable: true })
  createdBy!: string | null;

  @Column(instantColumn())
  createdAt!: Date;

  @Column(instantColumn())
  updatedAt!: Date;
}
