import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import type { Actor } from '../common/access/actor';
import { AuditService } from '../audit/audit.service';
import { AppConfigService } from '../config/app-config.service';
import { isUniqueViolation } from '../database/db-errors';
import { TransactionService } from '../database/transaction.service';
import { OrgNodeEntity } from '../organizations/org-node.entity';
import { UserEntity } from '../organizations/user.entity';
import { UsersService } from '../organizations/users.service';
import { PolicyService } from '../policy/policy.service';
import { formatSerial, newVerifyCode } from './certificate-codes';
import { CertificateFileEntity } from './certificate-file.entity';
import { renderCertificatePdf } from './certificate-pdf';
import { CertificateEntity } from './certificate.entity';
import { CertificationFacts } from './certification-facts';
import {
  CertificationRule,
  CertificationRulesPolicy,
  QualificationLevelsPolicy,
} from './certification.policy';
import {
  evaluateRule,
  levelPolicyOf,
  mightBeMet,
  Period,
  periodOf,
  PeriodFacts,
  ruleLevel,
} from './rule-evaluation';
import { SerialCounterEntity } from './serial-counter.entity';
import { TRAINING_KIND_LABELS } from './certificate.view';
import { newId } from '../common/ids';

/** Emitted after a certificate is committed: `{ certificateId, userId, ruleKey, serial }`. */
export const CERTIFICATE_ISSUED = 'certificate.issued';

export interface IssueInput {
  user: UserEntity;
  rule: CertificationRule;
  period: Period;
  hours: number;
  issuedAt: Date;
  issueNo?: number;
  replacesId?: string | null;
  actor?: Pick<Actor, 'userId' | 'username'> | null;
}

const DEFAULT_ZONE = 'Asia/Shanghai';

/** What the first of the two issuing transactions settles: who issues, under which number, how it is verified. */
interface PreparedIssue {
  issuer: { id: string; name: string; zone: string };
  serial: string;
  verifyCode: string;
  level: ReturnType<typeof ruleLevel>;
}

/** Evaluates a person's rules and issues what they have earned, once per rule and period. */
@Injectable()
export class IssuingService {
  private readonly logger = new Logger('Certification');

  constructor(
    private readonly tx: TransactionService,
    private readonly policy: PolicyService,
    private readonly facts: CertificationFacts,
    private readonly audit: AuditService,
    private readonly events: EventEmitter2,
    private readonly config: AppConfigService,
    private readonly users: UsersService,
    @InjectRepository(CertificateEntity)
    private readonly certificates: Repository<CertificateEntity>,
  ) {}

  async rules(): Promise<CertificationRulesPolicy> {
    return this.policy.get<CertificationRulesPolicy>('certification-rules');
  }

  async levels(): Promise<QualificationLevelsPolicy> {
    return this.policy.get<QualificationLevelsPolicy>('qualification-levels');
  }

  /** Issues every certificate the person now meets and does not hold for the current period; returns the new ones. */
  async evaluateAndIssue(userId: string, now = new Date()): Promise<CertificateEntity[]> {
    const user = await this.users.findById(userId);
    if (!user || !user.active) {
      return [];
    }
    const [{ rules }, { levels }] = await Promise.all([this.rules(), this.levels()]);
    const existing = await this.certificates.findBy({ userId });
    const person = await this.facts.person(user, existing);
    const periodCache = new Map<string, PeriodFacts>();
    const issued: CertificateEntity[] = [];
    const done = new Set(existing.map((c) => `${c.ruleKey}|${c.periodKey}`));
    // Repeat while something new was issued: a certificate can be another rule's prerequisite.
    for (let pass = 0, more = true; more && pass < rules.length; pass++) {
      more = false;
      for (const rule of rules) {
        const years = levelPolicyOf(levels, user.qualificationLevel)?.registrationYears ?? 3;
        const period = periodOf(rule.period, now, DEFAULT_ZONE, {
          start: user.registrationStart,
          years,
        });
        // A period's hours and attendance are read only for a rule that could still be met with them: most
        // people meet few rules, and an evaluation runs after every check-in (a study day's storm asks 2,000).
        if (
          !period ||
          done.has(`${rule.key}|${period.key}`) ||
          !mightBeMet(rule, person, period, levels)
        ) {
          continue;
        }
        let pf = periodCache.get(period.key);
        if (!pf) {
          pf = await this.facts.period(userId, period);
          periodCache.set(period.key, pf);
        }
        const result = evaluateRule(rule, person, period, pf, levels);
        if (!result.met) {
          continue;
        }
        const hours = rule.hours === 'earned' ? pf.hours.total : rule.hours;
        const cert = await this.issue({ user, rule, period, hours, issuedAt: now });
        done.add(`${rule.key}|${period.key}`);
        if (cert) {
          issued.push(cert);
          person.certificates.push({ ruleKey: rule.key });
          more = true;
        }
      }
    }
    return issued;
  }

  /**
   * Issues one certificate. Null when the person already holds it for that period: on SQLite the transaction
   * queue lets the second caller see the first one's row; on PostgreSQL the unique constraint on
   * (user, rule, period, issueNo) refuses the second insert and its whole transaction rolls back.
   *
   * Two short transactions with the PDF rendered between them: the serial is taken in the first, the file is
   * stored in the second. Rendering inside one transaction held SQLite's only connection for the ~20 ms of CPU a
   * PDF takes, so a study day that earned hundreds of certificates stalled every check-in behind them. The price
   * is a gap in the issuer's serials when two evaluations of one person race (the listener already merges them)
   * or the process stops between the two, which a register of issued numbers tolerates.
   */
  async issue(input: IssueInput): Promise<CertificateEntity | null> {
    try {
      const prepared = await this.tx.run(async (m) =>
        (await this.held(m, input)) ? null : this.prepare(m, input),
      );
      if (!prepared) {
        return null;
      }
      const pdf = await this.render(input, prepared);
      const cert = await this.tx.run(async (m) =>
        (await this.held(m, input)) ? null : this.store(m, input, prepared, pdf),
      );
      if (cert) {
        await this.events.emitAsync(CERTIFICATE_ISSUED, {
          certificateId: cert.id,
          userId: cert.userId,
          ruleKey: cert.ruleKey,
          serial: cert.serial,
        });
      }
      return cert;
    } catch (error) {
      if (isUniqueViolation(error)) {
        return null;
      }
      throw error;
    }
  }

  /** Inside the caller's transaction (also the demo seed and reissues): serial, code, PDF, its hash, audit. */
  async issueIn(m: EntityManager, input: IssueInput): Promise<CertificateEntity> {
    const prepared = await this.prepare(m, input);
    return this.store(m, input, prepared, await this.render(input, prepared));
  }

  private async held(m: EntityManager, input: IssueInput): Promise<boolean> {
    const row = await m.getRepository(CertificateEntity).findOne({
      select: { id: true },
      where: {
        userId: input.user.id,
        ruleKey: input.rule.key,
        periodKey: input.period.key,
        issueNo: input.issueNo ?? 0,
      },
    });
    return row !== null;
  }

  /** The issuer, the next serial of its year and a fresh verification code. */
  private async prepare(m: EntityManager, input: IssueInput): Promise<PreparedIssue> {
    const issuer = await this.issuerOf(m, input.user, input.rule.issuer);
    const year = DateTime.fromJSDate(input.issuedAt, { zone: issuer.zone || DEFAULT_ZONE }).year;
    const serial = await this.allocateSerial(m, issuer, year);
    return {
      issuer: { id: issuer.id, name: issuer.name, zone: issuer.zone || DEFAULT_ZONE },
      serial,
      verifyCode: newVerifyCode(),
      level: ruleLevel(input.rule, input.user.qualificationLevel),
    };
  }

  private async render(input: IssueInput, prepared: PreparedIssue): Promise<Buffer> {
    const { user, rule } = input;
    const { levels } = await this.levels();
    const levelLabel = prepared.level ? levelPolicyOf(levels, prepared.level)?.label : undefined;
    return renderCertificatePdf({
      serial: prepared.serial,
      holderName: user.displayName,
      title: rule.title,
      titleEn: rule.titleEn,
      levelLabel: levelLabel
        ? `${levelLabel}（${rule.levelRelation === 'evidences' ? '继续教育' : '能力提升'}）`
        : undefined,
      hours: input.hours,
      trainingKindLabel: TRAINING_KIND_LABELS[rule.trainingKind]?.zh ?? rule.trainingKind,
      issuerName: prepared.issuer.name,
      issuedAt: input.issuedAt,
      zone: prepared.issuer.zone,
      verifyUrl: this.verifyUrl(prepared.verifyCode),
    });
  }

  /** The certificate row, its PDF and the audit entry, in the caller's transaction. */
  private async store(
    m: EntityManager,
    input: IssueInput,
    prepared: PreparedIssue,
    pdf: Buffer,
  ): Promise<CertificateEntity> {
    const { user, rule } = input;
    const { serial, level } = prepared;
    const cert = m.getRepository(CertificateEntity).create({
      id: newId(),
      userId: user.id,
      ruleKey: rule.key,
      periodKey: input.period.key,
      issueNo: input.issueNo ?? 0,
      serial,
      verifyCode: prepared.verifyCode,
      title: rule.title,
      titleEn: rule.titleEn,
      level,
      levelRelation: level ? (rule.levelRelation ?? null) : null,
      trainingKind: rule.trainingKind,
      hours: Math.round(input.hours * 100) / 100,
      holderName: user.displayName,
      issuerOrgId: prepared.issuer.id,
      issuerName: prepared.issuer.name,
      issuedAt: input.issuedAt,
      pdfSha256: createHash('sha256').update(pdf).digest('hex'),
      status: 'valid',
      revokedAt: null,
      revokedBy: null,
      revokeReason: null,
      supersededById: null,
      replacesId: input.replacesId ?? null,
    });
    await m.getRepository(CertificateEntity).insert(cert);
    await m
      .getRepository(CertificateFileEntity)
      .insert({ certificateId: cert.id, pdfBase64: pdf.toString('base64') });
    await this.audit.record(
      {
        action: 'certificate.issue',
        actor: input.actor ?? null,
        targetType: 'certificate',
        targetId: cert.id,
        orgId: user.orgId,
        details: {
          serial,
          rule: rule.key,
          period: input.period.key,
          holder: user.id,
          pdfSha256: cert.pdfSha256,
        },
      },
      m,
    );
    return cert;
  }

  verifyUrl(code: string): string {
    return `${this.config.publicUrl.replace(/\/+$/, '')}/verify/${code}`;
  }

  /**
   * Next number for (issuer, year) in the caller's transaction: the counter row is created if missing and bumped
   * with one UPDATE, whose row lock makes a concurrent PostgreSQL transaction wait for this one to finish.
   */
  async allocateSerial(m: EntityManager, issuer: OrgNodeEntity, year: number): Promise<string> {
    await m
      .createQueryBuilder()
      .insert()
      .into(SerialCounterEntity)
      .values({ orgId: issuer.id, year, lastNumber: 0 })
      .orIgnore()
      .execute();
    await m
      .createQueryBuilder()
      .update(SerialCounterEntity)
      .set({ lastNumber: () => 'last_number + 1' })
      .where('org_id = :orgId AND year = :year', { orgId: issuer.id, year })
      .execute();
    const row = await m
      .getRepository(SerialCounterEntity)
      .findOneByOrFail({ orgId: issuer.id, year });
    return formatSerial(issuer.code ?? '', year, row.lastNumber);
  }

  /** The nearest organisation of the rule's issuer kind above the holder (the root when there is none). */
  private async issuerOf(m: EntityManager, user: UserEntity, kind: string): Promise<OrgNodeEntity> {
    const own = await m.getRepository(OrgNodeEntity).findOneByOrFail({ id: user.orgId });
    const ids = own.path.split('/').filter(Boolean);
    const chain = await m.getRepository(OrgNodeEntity).findBy({ id: In(ids) });
    chain.sort((a, b) => b.depth - a.depth);
    return chain.find((n) => n.kind === kind) ?? chain[chain.length - 1] ?? own;
  }
}
