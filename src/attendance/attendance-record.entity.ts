import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';
import { instantColumn } from '../database/columns';
import type { AttendanceStatus } from './attendance-rules';

/** One person's attendance at one session: exactly one row, guaranteed by the unique constraint. */
@Entity('attendance_records')
@Unique('uq_attendance_person_session', ['sessionId', 'userId'])
export class AttendanceRecordEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 36 })
  sessionId!: string;

  @Column({ type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: AttendanceStatus;

  @Column({ type: 'varchar', length: 500, nullable: true })
  reason!: string | null;

  /** Who wrote the row: the person themself (check-in), a secretary (proxy, home visit), or null (closing). */
  @Column({ type: 'varchar', length: 36, nullable: true })
  recordedBy!: string | null;

  /** `code`, `secretary` or `close`. */
  @Column({ type: 'varchar', length: 16 })
  source!: string;

  @Column(instantColumn())
  at!: Date;
}
