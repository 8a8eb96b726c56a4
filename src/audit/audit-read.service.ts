import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Actor, scopeRoots } from '../common/access/actor';
import { OrgTreeService } from '../organizations/org-tree.service';
import { AuditEntryEntity } from './audit-entry.entity';
import { AuditException } from './audit.exception';
import { AuditQuery } from './dto/audit-query.dto';

export interface AuditEntryView {
  id: string;
  at: string;
  actorId: string | null;
  actorName: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  orgId: string | null;
  orgName: string | null;
  ip: string | null;
  details: Record<string, unknown> | null;
}

export interface AuditPage {
  items: AuditEntryView[];
  nextCursor: string | null;
}

/** The read side of the log, for administrators in scope (GET /api/v1/audit and /admin/audit). */
@Injectable()
export class AuditReadService {
  constructor(
    @InjectRepository(AuditEntryEntity) private readonly entries: Repository<AuditEntryEntity>,
    private readonly tree: OrgTreeService,
  ) {}

  /**
   * Entries about organisations the caller administers, newest first. `org` narrows to one subtree (403 when the
   * caller does not administer it). Entries with no organisation (sign-in failures for unknown usernames) are
   * shown only to administrators of a root node.
   */
  async list(actor: Actor, query: AuditQuery): Promise<AuditPage> {
    const limit = Math.min(Math.max(Number(query.limit ?? 50), 1), 200);
    let roots: string[];
    if (query.org) {
      roots = [(await this.tree.requireAt(actor, ['admin'], query.org)).path];
    } else {
      roots = scopeRoots(actor, ['admin']);
    }
    if (roots.length === 0) {
      return { items: [], nextCursor: null };
    }
    const includeOrphans = !query.org && roots.some((r) => /^\/[^/]+\/$/.test(r));
    const qb = this.entries
      .createQueryBuilder('a')
      .leftJoin('org_nodes', 'o', 'o.id = a.org_id')
      .orderBy('a.at', 'DESC')
      .addOrderBy('a.id', 'DESC')
      .take(limit + 1);
    const params = Object.fromEntries(roots.map((p, i) => [`p${i}`, `${p}%`]));
    const inScope = roots.map((_, i) => `o.path LIKE :p${i}`).join(' OR ');
    qb.where(includeOrphans ? `(${inScope} OR a.org_id IS NULL)` : `(${inScope})`, params);
    if (query.cursor) {
      const [at, id] = this.decodeCursor(query.cursor);
      qb.andWhere('(a.at < :cat OR (a.at = :cat AND a.id < :cid))', { cat: at, cid: id });
    }
    const rows = await qb.getMany();
    const page = rows.slice(0, limit);
    const names = new Map((await this.tree.all()).map((n) => [n.id, n.name]));
    const last = page[page.length - 1];
    return {
      items: page.map((e) => ({
        id: e.id,
        at: e.at.toISOString(),
        actorId: e.actorId,
        actorName: e.actorName,
        action: e.action,
        targetType: e.targetType,
        targetId: e.targetId,
        orgId: e.orgId,
        orgName: e.orgId ? (names.get(e.orgId) ?? null) : null,
        ip: e.ip,
        details: e.details,
      })),
      nextCursor:
        rows.length > limit && last
          ? Buffer.from(`${last.at.toISOString()}|${last.id}`).toString('base64url')
          : null,
    };
  }

  private decodeCursor(cursor: string): [string, string] {
    const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
    if (!at || !id || Number.isNaN(Date.parse(at)) || !/^[0-9a-f-]{36}$/.test(id)) {
      throw new AuditException('AUDIT_CURSOR_INVALID', {}, 'cursor');
    }
    return [at, id];
  }
}
