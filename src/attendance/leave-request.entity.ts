import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';
import { instantColumn } from '../database/columns';

export const LEAVE_STATES = ['pending', 'approved', 'rejected'] as const;
export type LeaveState = (typeof LEAVE_STATES)[number];

@Entity('leave_requests')
@Unique('uq_leave_person_session', ['sessionId', 'userId'])
export class LeaveRequestEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 36 })
  sessionId!: string;

  @Column({ type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'varchar', length: 500 })
  reason!: string;

  @Column({ type: 'varchar', length: 16 })
  state!: LeaveState;

  @Column({ type: 'varchar', length: 36, nullable: true })
  decidedBy!: string | null;

  @Column(instantColumn({ nullable: true }))
  decidedAt!: Date | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  decisionNote!: string | null;

  @Column(instantColumn())
  createdAt!: Date;
}
