import { maskName } from './certificate-codes';
import type { CertificateEntity, CertificateStatus } from './certificate.entity';

/** Printed on the PDF (always Chinese) and shown on pages. */
export const TRAINING_KIND_LABELS: Record<string, { zh: string; en: string }> = {
  initial: { zh: '初任培训', en: 'Initial training' },
  on_the_job: { zh: '在岗培训', en: 'On-the-job training' },
  special_topic: { zh: '专项培训', en: 'Special-topic training' },
  practical: { zh: '实践锻炼', en: 'Practical exercises' },
};

export interface CertificateItemView {
  id: string;
  serial: string;
  title: string;
  titleEn: string;
  level: string | null;
  levelRelation: string | null;
  hours: number;
  trainingKind: string;
  issuedAt: string;
  issuer: string;
  verifyCode: string;
  verifyUrl: string;
  status: CertificateStatus;
  revokeReason: string | null;
  pdfUrl: string;
}

export function toCertificateItem(c: CertificateEntity, verifyUrl: string): CertificateItemView {
  return {
    id: c.id,
    serial: c.serial,
    title: c.title,
    titleEn: c.titleEn,
    level: c.level,
    levelRelation: c.levelRelation,
    hours: c.hours,
    trainingKind: c.trainingKind,
    issuedAt: c.issuedAt.toISOString(),
    issuer: c.issuerName,
    verifyCode: c.verifyCode,
    verifyUrl,
    status: c.status,
    revokeReason: c.status === 'revoked' ? c.revokeReason : null,
    pdfUrl: `/api/v1/certificates/${c.id}/pdf`,
  };
}

export interface VerificationView {
  status: CertificateStatus;
  holder: string;
  serial: string;
  title: string;
  titleEn: string;
  level: string | null;
  levelRelation: string | null;
  hours: number;
  trainingKind: string;
  issuedAt: string;
  issuer: string;
  pdfSha256: string;
  revokedAt: string | null;
  /** Serial of the certificate that replaced this one, when re-issued. */
  supersededBy: string | null;
}

/** What anyone may learn from a verification code: nothing that identifies the holder beyond a masked name. */
export function toVerification(
  c: CertificateEntity,
  supersededBySerial: string | null,
): VerificationView {
  return {
    status: c.status,
    holder: maskName(c.holderName),
    serial: c.serial,
    title: c.title,
    titleEn: c.titleEn,
    level: c.level,
    levelRelation: c.levelRelation,
    hours: c.hours,
    trainingKind: c.trainingKind,
    issuedAt: c.issuedAt.toISOString(),
    issuer: c.issuerName,
    pdfSha256: c.pdfSha256,
    revokedAt: c.revokedAt ? c.revokedAt.toISOString() : null,
    supersededBy: supersededBySerial,
  };
}
