import { Column, Entity, PrimaryColumn } from 'typeorm';
import { instantColumn, jsonColumn } from '../database/columns';

export interface EvidenceFlags {
  plan: boolean;
  materials: boolean;
  signInSheet: boolean;
}

/**
 * One meeting of a branch (an occurrence of a series or a one-off). Its id is also the id of its attendance
 * session. Times are UTC instants; `localDate` is the day in the branch's zone.
 */
@Entity('study_days')
export class StudyDayEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 36 })
  orgId!: string;

  @Column({ type: 'varchar', length: 36, nullable: true })
  seriesId!: string | null;

  /** The obligations this meeting satisfies: study_day, party_lecture, committee... */
  @Column(jsonColumn<string[]>())
  meetingTypes!: string[];

  @Column(instantColumn())
  startsAt!: Date;

  @Column(instantColumn())
  endsAt!: Date;

  @Column({ type: 'varchar', length: 10 })
  localDate!: string;

  /** The date the series rule gave; a move within the holiday shift still counts for that date's period. */
  @Column({ type: 'varchar', length: 10 })
  originalDate!: string;

  @Column({ type: 'varchar', length: 64 })
  zone!: string;

  @Column({ type: 'varchar', length: 200 })
  topic!: string;

  @Column({ type: 'varchar', length: 200 })
  place!: string;

  @Column({ type: 'text' })
  agenda!: string;

  @Column(jsonColumn<string[]>())
  lessonIds!: string[];

  /** `scheduled` or `cancelled`. */
  @Column({ type: 'varchar', length: 16 })
  status!: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  changeReason!: string | null;

  /** Moved or edited by hand: a later series edit leaves it alone. */
  @Column({ type: 'boolean', default: false })
  detached!: boolean;

  /** Raised on every change, so calendar clients replace the event. */
  @Column({ type: 'integer', default: 0 })
  sequence!: number;

  @Column({ type: 'text', nullable: true })
  minutes!: string | null;

  @Column(instantColumn({ nullable: true }))
  minutesAt!: Date | null;

  /** Paper pieces the secretary ticks (plan, materials, sign-in sheet); minutes and photos are counted. */
  @Column(jsonColumn<EvidenceFlags>())
  evidence!: EvidenceFlags;

  @Column({ type: 'varchar', length: 36, nullable: true })
  createdBy!: string | null;

  @Column(instantColumn())
  createdAt!: Date;

  @Column(instantColumn())
  updatedAt!: Date;
}
