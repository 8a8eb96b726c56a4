import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { strToU8, zipSync } from 'fflate';
import { DateTime } from 'luxon';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { Brackets, In, Repository } from 'typeorm';
import { Actor, canActAt, Role } from '../common/access/actor';
import { AuditService } from '../audit/audit.service';
import { TransactionService } from '../database/transaction.service';
import { OrgNodeEntity } from '../organizations/org-node.entity';
import { OrgTreeService } from '../organizations/org-tree.service';
import { UsersService } from '../organizations/users.service';
import { normaliseVerifyCode } from './certificate-codes';
import { CertificateFileEntity } from './certificate-file.entity';
import { CertificateEntity } from './certificate.entity';
import {
  CertificateItemView,
  toCertificateItem,
  toVerification,
  VerificationView,
} from './certificate.view';
import { CertificationException } from './certification.exception';
import { ExportQuery } from './dto/certification.dto';
import { CertificationListener } from './certification.listener';
import { IssuingService } from './issuing.service';

const VIEWERS: readonly Role[] = ['secretary', 'admin'];
const EXPORT_MAX = 2000;

/** Lookups per address on the public verification routes (page and API together). */
const VERIFY_POINTS = 30;
const VERIFY_WINDOW_SECONDS = 60;

@Injectable()
export class CertificatesService {
  private readonly verifyLimiter = new RateLimiterMemory({
    keyPrefix: 'verify',
    points: VERIFY_POINTS,
    duration: VERIFY_WINDOW_SECONDS,
  });

  constructor(
    @InjectRepository(CertificateEntity)
    private readonly certificates: Repository<CertificateEntity>,
    @InjectRepository(CertificateFileEntity)
    private readonly files: Repository<CertificateFileEntity>,
    private readonly tx: TransactionService,
    private readonly tree: OrgTreeService,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    private readonly issuing: IssuingService,
    private readonly evaluations: CertificationListener,
  ) {}

  async mine(actor: Actor): Promise<{ items: CertificateItemView[] }> {
    await this.evaluations.settle(actor.userId); // what the person has just earned is listed
    const rows = await this.certificates.find({
      where: { userId: actor.userId },
      order: { issuedAt: 'DESC' },
    });
    return { items: rows.map((c) => toCertificateItem(c, this.issuing.verifyUrl(c.verifyCode))) };
  }

  /** A person's certificates for a secretary or admin in scope (404 outside it). */
  async ofPerson(actor: Actor, userId: string): Promise<{ items: CertificateItemView[] }> {
    const user = await this.users.findInScope(actor, userId, VIEWERS);
    await this.evaluations.settle(user.id);
    const rows = await this.certificates.find({
      where: { userId: user.id },
      order: { issuedAt: 'DESC' },
    });
    return { items: rows.map((c) => toCertificateItem(c, this.issuing.verifyUrl(c.verifyCode))) };
  }

  /** The PDF exactly as issued; the owner, or a secretary/admin over the holder's organisation. */
  async pdf(
    actor: Actor,
    id: string,
  ): Promise<{ bytes: Buffer; filename: string; sha256: string }> {
    const cert = await this.visible(actor, id, VIEWERS, true);
    // A revoked certificate is not handed out again as a clean PDF (SECURITY-TESTS 66).
    if (cert.status === 'revoked') {
      throw new CertificationException('CERTIFICATE_NOT_VALID', { status: cert.status });
    }
    const file = await this.files.findOneBy({ certificateId: cert.id });
    if (!file) {
      throw new CertificationException('CERTIFICATE_NOT_FOUND');
    }
    return {
      bytes: Buffer.from(file.pdfBase64, 'base64'),
      filename: `${cert.serial}.pdf`,
      sha256: cert.pdfSha256,
    };
  }

  async revoke(
    actor: Actor,
    id: string,
    reason: string,
    ip?: string,
  ): Promise<CertificateItemView> {
    const cert = await this.visible(actor, id, ['admin'], false);
    const saved = await this.tx.run(async (m) => {
      const repo = m.getRepository(CertificateEntity);
      // The status is part of the WHERE, so two admins revoking at once cannot both succeed.
      const result = await repo.update(
        { id: cert.id, status: 'valid' },
        {
          status: 'revoked',
          revokedAt: new Date(),
          revokedBy: actor.userId,
          revokeReason: reason.trim(),
        },
      );
      if (!result.affected) {
        throw new CertificationException('CERTIFICATE_NOT_VALID', { status: cert.status });
      }
      await this.audit.record(
        {
          action: 'certificate.revoke',
          actor,
          targetType: 'certificate',
          targetId: cert.id,
          orgId: await this.holderOrgId(cert),
          ip,
          details: { serial: cert.serial, reason: reason.trim() },
        },
        m,
      );
      return repo.findOneByOrFail({ id: cert.id });
    });
    return toCertificateItem(saved, this.issuing.verifyUrl(saved.verifyCode));
  }

  /**
   * A new certificate (new serial, new code, the holder's current name) for the same rule and period; the old one
   * stays verifiable as superseded and points to its successor.
   */
  async reissue(
    actor: Actor,
    id: string,
    reason: string,
    ip?: string,
  ): Promise<CertificateItemView> {
    const cert = await this.visible(actor, id, VIEWERS, false);
    if (cert.status !== 'valid') {
      throw new CertificationException('CERTIFICATE_NOT_VALID', { status: cert.status });
    }
    const user = await this.users.findInScope(actor, cert.userId, VIEWERS);
    const { rules } = await this.issuing.rules();
    const rule = rules.find((r) => r.key === cert.ruleKey) ?? {
      key: cert.ruleKey,
      title: cert.title,
      titleEn: cert.titleEn,
      trainingKind: cert.trainingKind as 'initial',
      period: 'once' as const,
      hours: cert.hours,
      issuer: 'city' as const,
      requires: [],
      source: '',
      effectiveFrom: '',
    };
    // Printed facts stay those of the original issue; only the holder's name and the issue date are new.
    const snapshot = { ...rule, title: cert.title, titleEn: cert.titleEn };
    const fresh = await this.tx.run(async (m) => {
      const repo = m.getRepository(CertificateEntity);
      const last = await repo.find({
        where: { userId: cert.userId, ruleKey: cert.ruleKey, periodKey: cert.periodKey },
        order: { issueNo: 'DESC' },
        take: 1,
      });
      const next = await this.issuing.issueIn(m, {
        user,
        rule: snapshot,
        period: { key: cert.periodKey, from: cert.issuedAt, to: new Date() },
        hours: cert.hours,
        issuedAt: new Date(),
        issueNo: (last[0]?.issueNo ?? 0) + 1,
        replacesId: cert.id,
        actor,
      });
      const result = await repo.update(
        { id: cert.id, status: 'valid' },
        { status: 'superseded', supersededById: next.id },
      );
      if (!result.affected) {
        throw new CertificationException('CERTIFICATE_NOT_VALID', { status: 'superseded' });
      }
      await this.audit.record(
        {
          action: 'certificate.reissue',
          actor,
          targetType: 'certificate',
          targetId: cert.id,
          orgId: user.orgId,
          ip,
          details: { oldSerial: cert.serial, newSerial: next.serial, reason: reason.trim() },
        },
        m,
      );
      return next;
    });
    return toCertificateItem(fresh, this.issuing.verifyUrl(fresh.verifyCode));
  }

  /** Valid certificates of people in a subtree issued in [from, to], as one ZIP with an index.csv. */
  async exportZip(
    actor: Actor,
    query: ExportQuery,
    ip?: string,
  ): Promise<{ bytes: Uint8Array; filename: string }> {
    const org = await this.tree.requireAt(actor, VIEWERS, query.org);
    const zone = org.zone || 'Asia/Shanghai';
    const from = DateTime.fromISO(query.from, { zone }).startOf('day');
    const to = DateTime.fromISO(query.to, { zone }).endOf('day');
    if (!from.isValid || !to.isValid || to < from) {
      throw new CertificationException('EXPORT_RANGE_INVALID', {}, 'to');
    }
    await this.evaluations.settleAll();
    const rows = await this.certificates
      .createQueryBuilder('c')
      .innerJoin('users', 'u', 'u.id = c.user_id')
      .innerJoin(OrgNodeEntity, 'o', 'o.id = u.org_id')
      .where('o.path LIKE :path', { path: `${org.path}%` })
      .andWhere('c.issued_at >= :from AND c.issued_at <= :to', {
        from: from.toUTC().toISO(),
        to: to.toUTC().toISO(),
      })
      .andWhere(new Brackets((w) => w.where("c.status = 'valid'").orWhere("c.status = 'revoked'")))
      .orderBy('c.serial', 'ASC')
      .limit(EXPORT_MAX + 1)
      .getMany();
    if (rows.length > EXPORT_MAX) {
      throw new CertificationException('EXPORT_TOO_LARGE', { max: EXPORT_MAX });
    }
    const files =
      rows.length > 0 ? await this.files.findBy({ certificateId: In(rows.map((r) => r.id)) }) : [];
    const byId = new Map(files.map((f) => [f.certificateId, f]));
    const entries: Record<string, Uint8Array> = {};
    const csv = ['serial,holder,title,hours,issuedAt,status,pdfSha256,verifyUrl'];
    for (const c of rows) {
      csv.push(
        [
          c.serial,
          c.holderName,
          c.title,
          String(c.hours),
          c.issuedAt.toISOString(),
          c.status,
          c.pdfSha256,
          this.issuing.verifyUrl(c.verifyCode),
        ]
          .map(csvCell)
          .join(','),
      );
      const file = byId.get(c.id);
      if (file && c.status === 'valid') {
        entries[`${c.serial}-${safeName(c.holderName)}.pdf`] = new Uint8Array(
          Buffer.from(file.pdfBase64, 'base64'),
        );
      }
    }
    // A byte-order mark so spreadsheet programs read the Chinese names as UTF-8.
    entries['index.csv'] = strToU8(`\uFEFF${csv.join('\r\n')}\r\n`);
    await this.audit.record({
      action: 'certificate.export',
      actor,
      targetType: 'org',
      targetId: org.id,
      orgId: org.id,
      ip,
      details: { from: query.from, to: query.to, count: rows.length },
    });
    return {
      bytes: zipSync(entries, { level: 0 }),
      filename: `certificates-${query.from}-${query.to}.zip`,
    };
  }

  /** Public lookup; every lookup counts against the address, so codes cannot be enumerated. */
  async verify(rawCode: string, ip: string): Promise<VerificationView> {
    try {
      await this.verifyLimiter.consume(ip || 'unknown');
    } catch (error) {
      const wait =
        error instanceof RateLimiterRes
          ? Math.max(1, Math.ceil(error.msBeforeNext / 1000))
          : VERIFY_WINDOW_SECONDS;
      throw new CertificationException('VERIFY_RATE_LIMITED', { seconds: wait });
    }
    const code = normaliseVerifyCode(rawCode);
    const cert = code ? await this.certificates.findOneBy({ verifyCode: code }) : null;
    if (!cert) {
      throw new CertificationException('VERIFY_CODE_NOT_FOUND');
    }
    const successor = cert.supersededById
      ? await this.certificates.findOneBy({ id: cert.supersededById })
      : null;
    return toVerification(cert, successor?.serial ?? null);
  }

  /** A certificate the actor may see: their own (when `ownerToo`), or one whose holder is in scope; else 404. */
  private async visible(
    actor: Actor,
    id: string,
    roles: readonly Role[],
    ownerToo: boolean,
  ): Promise<CertificateEntity> {
    const cert =
      typeof id === 'string' && id.length <= 36 ? await this.certificates.findOneBy({ id }) : null;
    if (!cert) {
      throw new CertificationException('CERTIFICATE_NOT_FOUND');
    }
    if (ownerToo && cert.userId === actor.userId) {
      return cert;
    }
    const holder = await this.users.findById(cert.userId);
    const org = holder ? await this.tree.find(holder.orgId) : null;
    if (!org || !canActAt(actor, roles, org.path)) {
      throw new CertificationException('CERTIFICATE_NOT_FOUND');
    }
    return cert;
  }

  private async holderOrgId(cert: CertificateEntity): Promise<string | null> {
    return (await this.users.findById(cert.userId))?.orgId ?? null;
  }
}

/** CSV cell safe against formula injection in spreadsheet programs. */
function csvCell(value: string): string {
  const guarded = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

function safeName(name: string): string {
  return name.replace(/[\\/:*?"<>|\s]+/g, '_').slice(0, 40);
}
