import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import type { Actor } from '../common/access/actor';
import { AuditEntryEntity } from './audit-entry.entity';
import { newId } from '../common/ids';

export interface AuditRecord {
  action: string;
  actor?: Pick<Actor, 'userId' | 'username'> | null;
  targetType?: string;
  targetId?: string;
  orgId?: string | null;
  ip?: string | null;
  details?: Record<string, unknown>;
}

/** Strips line breaks and control characters so a crafted username cannot forge log lines (SECURITY-TESTS 109). */
const oneLine = (s: string | null | undefined): string | null =>
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed here
  s === null || s === undefined ? null : s.replace(/[\u0000-\u001f\u007f]/g, ' ');

/**
 * Append-only log of sign-ins, role and scope changes, grades, attendance edits, certificates and exports.
 * There is deliberately no update or delete here and no route that changes an entry.
 */
@Injectable()
export class AuditService {
  constructor(
    @InjectRepository(AuditEntryEntity) private readonly entries: Repository<AuditEntryEntity>,
  ) {}

  /** Pass the transaction's manager so the entry commits or rolls back with the change it describes. */
  async record(entry: AuditRecord, manager?: EntityManager): Promise<void> {
    const repo = manager ? manager.getRepository(AuditEntryEntity) : this.entries;
    // A single INSERT, never save(): save() opens its own transaction, and on SQLite's one shared connection an
    // entry written outside TransactionService (sign-ins) collided with a running transaction (a 500 at login).
    await repo.insert(
      repo.create({
        id: newId(),
        at: new Date(),
        actorId: entry.actor?.userId ?? null,
        actorName: oneLine(entry.actor?.username)?.slice(0, 64) ?? null,
        action: entry.action,
        targetType: entry.targetType ?? null,
        targetId: oneLine(entry.targetId)?.slice(0, 64) ?? null,
        orgId: entry.orgId ?? null,
        ip: entry.ip?.slice(0, 64) ?? null,
        details: entry.details ?? null,
      }) as never,
    );
  }
}
