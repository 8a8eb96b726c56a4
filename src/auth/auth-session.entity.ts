import { Column, Entity, PrimaryColumn } from 'typeorm';
import { instantColumn } from '../database/columns';

/** A page session (cookie) or an API token. Only the SHA-256 of the secret is stored. */
@Entity('auth_sessions')
export class AuthSessionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'varchar', length: 64, unique: true })
  tokenHash!: string;

  @Column({ type: 'varchar', length: 8 })
  kind!: 'cookie' | 'token';

  @Column(instantColumn())
  createdAt!: Date;

  @Column(instantColumn())
  lastSeenAt!: Date;

  @Column(instantColumn())
  expiresAt!: Date;

  @Column(instantColumn({ nullable: true }))
  revokedAt!: Date | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;
}
