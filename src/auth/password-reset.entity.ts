import { Column, Entity, PrimaryColumn } from 'typeorm';
import { instantColumn } from '../database/columns';

/** A one-time link an officer hands to a person to set a new password. Only the SHA-256 of the secret is kept. */
@Entity('password_resets')
export class PasswordResetEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'varchar', length: 64, unique: true })
  tokenHash!: string;

  /** The administrator or secretary who generated the link. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  createdBy!: string | null;

  @Column(instantColumn())
  createdAt!: Date;

  @Column(instantColumn())
  expiresAt!: Date;

  @Column(instantColumn({ nullable: true }))
  usedAt!: Date | null;

  /** Set when a newer link was generated for the same person, or the person changed the password otherwise. */
  @Column(instantColumn({ nullable: true }))
  revokedAt!: Date | null;
}
