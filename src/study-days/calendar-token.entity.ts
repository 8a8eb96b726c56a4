import { Column, Entity, PrimaryColumn } from 'typeorm';
import { instantColumn } from '../database/columns';

/** A secret feed link for calendar apps, per branch or per person; only its hash is stored, and it can be revoked. */
@Entity('calendar_tokens')
export class CalendarTokenEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** `branch` or `person`. */
  @Column({ type: 'varchar', length: 16 })
  kind!: string;

  @Column({ type: 'varchar', length: 36, nullable: true })
  orgId!: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  userId!: string | null;

  @Column({ type: 'varchar', length: 64, unique: true })
  tokenHash!: string;

  @Column({ type: 'varchar', length: 36 })
  createdBy!: string;

  @Column(instantColumn())
  createdAt!: Date;

  @Column(instantColumn({ nullable: true }))
  revokedAt!: Date | null;
}
