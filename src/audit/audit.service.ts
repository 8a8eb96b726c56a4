import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { EntityManager, Repository } from 'typeorm';
import type { Actor } from '../common/access/actor';
import { AuditEntryEntity } from './audit-entry.entity';

export interface AuditRecord {
  action: string;
  actor?: Pick<Actor, 'userId' | 'username'> | null;
  targetType?: string;
  targetId?: string;
  orgId?: string | null;
  ip?: string | null;
  details?: Record<string, unknown>;
}

/** Append-only log of sign-ins, role and scope changes, grades, attendance edits, certificates and exports. */
@Injectable()
export class AuditService {
  constructor(@InjectRepository(AuditEntryEntity) private readonly entries: Repository<AuditEntryEntity>) {}

  /** Pass the transaction's manager so the entry commits or rolls back with the change it describes. */
  async record(entry: AuditRecord, manager?: EntityManager): Promise<void> {
    const repo = manager ? manager.getRepository(AuditEntryEntity) : this.entries;
    await repo.save(repo.create({
      id: randomUUID(),
      at: new Date(),
      actorId: entry.actor?.userId ?? null,
      actorName: entry.actor?.username ?? null,
      action: entry.action,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      orgId: entry.orgId ?? null,
      ip: entry.ip ?? null,
      details: entry.details ?? null,
    }));
  }

  async recent(orgPaths: string[] | 'all', limit = 100): Promise<AuditEntryEntity[]> {
    const qb = this.entries.createQueryBuilder('a').orderBy('a.at', 'DESC').limit(limit);
    if (orgPaths !== 'all') {
      if (orgPaths.length === 0) {
        return [];
      }
      qb.innerJoin('org_nodes', 'o', 'o.id = a.org_id').where(
        orgPaths.map((_, i) => `o.path LIKE :p${i}`).join(' OR '),
        Object.fromEntries(orgPaths.map((p, i) => [`p${i}`, `${p}%`])),
      );
    }
    return qb.getMany();
  }
}
