import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { OrgNodeEntity } from '../organizations/org-node.entity';
import { isLiable } from './attendance-rules';
import { BranchMembershipEntity } from './branch-membership.entity';
import { newId } from '../common/ids';

export interface MemberRow {
  id: string;
  username: string;
  displayName: string;
}

/**
 * Who belongs to a branch and since when. The people table says where someone is now; this table keeps when they
 * joined and left, so a member is liable only for meetings while they belonged. It is brought up to date with the
 * people table before any roster or closing reads it (a person moved in gets today as their joining day).
 */
@Injectable()
export class MembershipsService {
  constructor(private readonly dataSource: DataSource) {}

  /** Active people whose organisation is the node or below it (a branch and its party groups). */
  async currentMembers(org: OrgNodeEntity, manager?: EntityManager): Promise<MemberRow[]> {
    const m = manager ?? this.dataSource.manager;
    // Read-only look at the people table: UsersService offers no "members of a node" query without an actor.
    const rows = await m
      .createQueryBuilder()
      .select(['u.id AS id', 'u.username AS username', 'u.display_name AS "displayName"'])
      .from('users', 'u')
      .innerJoin('org_nodes', 'o', 'o.id = u.org_id')
      .where('o.path LIKE :path', { path: `${org.path}%` })
      .andWhere('u.active = :active', { active: true })
      .orderBy('u.username', 'ASC')
      .getRawMany<{ id: string; username: string; displayName?: string; displayname?: string }>();
    return rows.map((r) => ({
      id: r.id,
      username: r.username,
      displayName: r.displayName ?? r.displayname ?? r.username,
    }));
  }

  /** Opens memberships for people who arrived and closes those of people who left; inside the caller's transaction. */
  async sync(m: EntityManager, org: OrgNodeEntity, today: Date): Promise<void> {
    const repo = m.getRepository(BranchMembershipEntity);
    const members = await this.currentMembers(org, m);
    const open = await repo.findBy({ orgId: org.id, leftOn: IsNull() });
    const openIds = new Set(open.map((r) => r.userId));
    const memberIds = new Set(members.map((r) => r.id));
    const day = DateTime.fromJSDate(today, { zone: org.zone }).toISODate() as string;
    const arrived = members.filter((p) => !openIds.has(p.id));
    if (arrived.length > 0) {
      const created = await m
        .createQueryBuilder()
        .select(['u.id AS id', 'u.created_at AS "createdAt"'])
        .from('users', 'u')
        .where('u.id IN (:...ids)', { ids: arrived.map((a) => a.id) })
        .getRawMany<{ id: string; createdAt?: string; createdat?: string }>();
      const joined = new Map(created.map((c) => [c.id, c.createdAt ?? c.createdat ?? '']));
      const rows = arrived.map((p) => {
        const at = joined.get(p.id);
        // Someone added to the system is a member from the day they were added.
        const joinedOn = at ? (DateTime.fromISO(at, { zone: org.zone }).toISODate() ?? day) : day;
        return {
          id: newId(),
          userId: p.id,
          orgId: org.id,
          joinedOn: joinedOn < day ? joinedOn : day,
          leftOn: null,
        };
      });
      for (let i = 0; i < rows.length; i += 100) {
        await repo
          .createQueryBuilder()
          .insert()
          .values(rows.slice(i, i + 100))
          .orIgnore()
          .execute();
      }
    }
    const left = open.filter((r) => !memberIds.has(r.userId)).map((r) => r.id);
    if (left.length > 0) {
      await repo.update({ id: In(left) }, { leftOn: day });
    }
  }

  /** Everyone liable for a meeting of `org` on `localDate`. */
  async liableAt(m: EntityManager, orgId: string, localDate: string): Promise<string[]> {
    const rows = await m.getRepository(BranchMembershipEntity).findBy({ orgId });
    return [...new Set(rows.filter((r) => isLiable(r, localDate)).map((r) => r.userId))];
  }

  /** Batch insert for demo data and imports: rows already decided by the caller. */
  async insertMany(
    m: EntityManager,
    rows: Array<Omit<BranchMembershipEntity, 'id'>>,
  ): Promise<void> {
    const values = rows.map((r) => ({ id: newId(), ...r }));
    for (let i = 0; i < values.length; i += 100) {
      await m.getRepository(BranchMembershipEntity).insert(values.slice(i, i + 100));
    }
  }
}
