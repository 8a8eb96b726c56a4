import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';
import { hoursColumn, instantColumn } from '../database/columns';

export const CERTIFICATE_STATUSES = ['valid', 'revoked', 'superseded'] as const;
export type CertificateStatus = (typeof CERTIFICATE_STATUSES)[number];

/**
 * An issued certificate. Everything printed on it is copied here at issue time, so it belongs to the person and
 * survives the course being archived, a new version, a renamed organisation or a changed rule.
 */
@Entity('certificates')
@Unique('uq_certificates_issue', ['userId', 'ruleKey', 'periodKey', 'issueNo'])
@Unique('uq_certificates_serial', ['serial'])
@Unique('uq_certificates_verify_code', ['verifyCode'])
export class CertificateEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'varchar', length: 64 })
  ruleKey!: string;

  /** `once`, `Y2026` or `R2025-03-01`: with the user and rule, issued at most once (issueNo 0 is the automatic one). */
  @Column({ type: 'varchar', length: 16 })
  periodKey!: string;

  /** 0 for the first issue; a re-issue takes the next number, so the unique constraint still holds. */
  @Column({ type: 'integer', default: 0 })
  issueNo!: number;

  @Column({ type: 'varchar', length: 40 })
  serial!: string;

  @Column({ type: 'varchar', length: 32 })
  verifyCode!: string;

  @Column({ type: 'varchar', length: 100 })
  title!: string;

  @Column({ type: 'varchar', length: 100 })
  titleEn!: string;

  @Column({ type: 'varchar', length: 16, nullable: true })
  level!: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  levelRelation!: string | null;

  @Column({ type: 'varchar', length: 16 })
  trainingKind!: string;

  @Column(hoursColumn())
  hours!: number;

  @Column({ type: 'varchar', length: 64 })
  holderName!: string;

  @Column({ type: 'varchar', length: 36 })
  issuerOrgId!: string;

  @Column({ type: 'varchar', length: 100 })
  issuerName!: string;

  @Column(instantColumn())
  issuedAt!: Date;

  @Column({ type: 'varchar', length: 64 })
  pdfSha256!: string;

  @Column({ type: 'varchar', length: 16, default: 'valid' })
  status!: CertificateStatus;

  @Column(instantColumn({ nullable: true }))
  revokedAt!: Date | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  revokedBy!: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  revokeReason!: string | null;

  /** The certificate that replaced this one on re-issue. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  supersededById!: string | null;

  /** The certificate this one replaced. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  replacesId!: string | null;
}
