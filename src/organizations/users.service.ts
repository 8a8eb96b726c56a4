import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, EntityManager, In, Repository } from 'typeorm';
import { Actor, canActAt, Role, scopeRoots } from '../common/access/actor';
import { AuditService } from '../audit/audit.service';
import { isUniqueViolation } from '../database/db-errors';
import { TransactionService } from '../database/transaction.service';
import { hashPassword, passwordProblem } from '../auth/password-hasher';
import { PolicyService } from '../policy/policy.service';
import { CreateUserDto, ListUsersQuery, UpdateUserDto } from './dto/user.dto';
import { OrgNodeEntity } from './org-node.entity';
import { OrgTreeService } from './org-tree.service';
import { OrganizationsException } from './organizations.exception';
import { PostGradesPolicy } from './post-grades.policy';
import { RoleAssignmentEntity } from './role-assignment.entity';
import { UserEntity } from './user.entity';
import { toUserView, UserView } from './user.view';
import { newId } from '../common/ids';

const MANAGERS: readonly Role[] = ['admin', 'secretary'];

/** Emitted after a person is disabled; the auth module revokes their sessions and tokens. */
export const USER_DEACTIVATED = 'user.deactivated';

/** Which roles each managing role may hand out: a secretary never creates trainers or admins. */
export const GRANTABLE: Record<Role, readonly Role[]> = {
  admin: ['learner', 'trainer', 'secretary', 'admin'],
  secretary: ['learner'],
  trainer: [],
  learner: [],
};

export interface UserListPage {
  items: UserView[];
  nextCursor: string | null;
}

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @InjectRepository(RoleAssignmentEntity)
    private readonly grants: Repository<RoleAssignmentEntity>,
    private readonly tree: OrgTreeService,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
    private readonly policy: PolicyService,
    private readonly events: EventEmitter2,
  ) {}

  async create(actor: Actor | null, dto: CreateUserDto, ip?: string): Promise<UserView> {
    const org = actor
      ? await this.tree.requireAt(actor, MANAGERS, dto.orgId)
      : await this.tree.get(dto.orgId);
    const roles = this.rolesToGrant(actor, org, dto.roles ?? []);
    await this.checkPostGrade(dto.postType ?? null, dto.postGrade ?? null);
    const problem = passwordProblem(dto.password, dto.username);
    if (problem) {
      throw new OrganizationsException(
        'PASSWORD_REJECTED',
        { reasonKey: `orgs.password.${problem}` },
        'password',
      );
    }
    const passwordHash = await hashPassword(dto.password);
    try {
      return await this.tx.run(async (m) => {
        // An officer chose this password: the person sets their own at first sign-in (not so from the CLI).
        const user = await this.insertUser(m, dto, org, passwordHash, roles, {
          mustChangePassword: actor !== null,
        });
        await this.audit.record(
          {
            action: 'user.create',
            actor,
            targetType: 'user',
            targetId: user.id,
            orgId: org.id,
            ip,
            details: { username: user.username, roles },
          },
          m,
        );
        return toUserView(
          user,
          org,
          await m.getRepository(RoleAssignmentEntity).findBy({ userId: user.id }),
        );
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new OrganizationsException('USERNAME_TAKEN', { username: dto.username }, 'username');
      }
      throw error;
    }
  }

  /** Inserts a person and their roles inside the caller's transaction (also used by CSV import and demo data). */
  async insertUser(
    m: EntityManager,
    dto: Omit<CreateUserDto, 'password'>,
    org: OrgNodeEntity,
    passwordHash: string,
    roles: Role[],
    options: { mustChangePassword?: boolean } = {},
  ): Promise<UserEntity> {
    const now = new Date();
    const user = m.getRepository(UserEntity).create({
      id: newId(),
      username: dto.username,
      displayName: dto.displayName.trim(),
      passwordHash,
      phone: dto.phone ?? null,
      orgId: org.id,
      partyMember: dto.partyMember ?? org.kind === 'branch',
      branchCommittee: dto.branchCommittee ?? false,
      postType: dto.postType ?? null,
      postGrade: dto.postGrade ?? null,
      hireDate: dto.hireDate ?? null,
      qualificationLevel: dto.qualificationLevel ?? 'none',
      registrationStart: dto.registrationStart ?? null,
      active: true,
      mustChangePassword: options.mustChangePassword ?? false,
      createdAt: now,
      updatedAt: now,
    });
    await m.getRepository(UserEntity).insert(user);
    const all = [...new Set<Role>(['learner', ...roles])];
    await m
      .getRepository(RoleAssignmentEntity)
      .insert(all.map((role) => ({ id: newId(), userId: user.id, role, orgId: org.id })));
    return user;
  }

  async update(actor: Actor, id: string, dto: UpdateUserDto, ip?: string): Promise<UserView> {
    const user = await this.findInScope(actor, id, MANAGERS);
    const targetOrg = dto.orgId
      ? await this.tree.requireAt(actor, MANAGERS, dto.orgId)
      : await this.tree.get(user.orgId);
    if (dto.active === false && user.id === actor.userId) {
      throw new OrganizationsException('CANNOT_DISABLE_SELF');
    }
    const roles = dto.roles ? this.rolesToGrant(actor, targetOrg, dto.roles) : null;
    await this.checkPostGrade(dto.postType ?? user.postType, dto.postGrade ?? user.postGrade);
    return this.tx
      .run(async (m) => {
        const before = { orgId: user.orgId, postGrade: user.postGrade, active: user.active };
        const { roles: _roles, ...fields } = dto;
        await m
          .getRepository(UserEntity)
          .update({ id: user.id }, { ...fields, orgId: targetOrg.id, updatedAt: new Date() });
        const grantRepo = m.getRepository(RoleAssignmentEntity);
        if (roles || dto.orgId) {
          // Roles held at the person's own org move with them; a role change replaces that set.
          const current = await grantRepo.findBy({ userId: user.id, orgId: user.orgId });
          const next = roles ?? current.map((g) => g.role);
          await grantRepo.delete({ userId: user.id, orgId: user.orgId });
          await grantRepo.insert(
            [...new Set<Role>(['learner', ...next])].map((role) => ({
              id: newId(),
              userId: user.id,
              role,
              orgId: targetOrg.id,
            })),
          );
        }
        await this.audit.record(
          {
            action: 'user.update',
            actor,
            targetType: 'user',
            targetId: user.id,
            orgId: targetOrg.id,
            ip,
            details: { before, after: dto },
          },
          m,
        );
        const saved = await m.getRepository(UserEntity).findOneByOrFail({ id: user.id });
        return toUserView(saved, targetOrg, await grantRepo.findBy({ userId: user.id }));
      })
      .then(async (view) => {
        if (dto.active === false) {
          // Sign-in checks `active` on every request already; this also clears the stored sessions and tokens.
          await this.events.emitAsync(USER_DEACTIVATED, { userId: user.id });
        }
        return view;
      });
  }

  async get(actor: Actor, id: string): Promise<UserView> {
    const user =
      id === actor.userId
        ? await this.users.findOneBy({ id })
        : await this.findInScope(actor, id, MANAGERS);
    if (!user) {
      throw new OrganizationsException('USER_NOT_FOUND');
    }
    return toUserView(
      user,
      await this.tree.find(user.orgId),
      await this.grants.findBy({ userId: user.id }),
    );
  }

  /** People inside the caller's subtrees only, filtered in the query, ordered by username with a cursor. */
  async list(actor: Actor, query: ListUsersQuery): Promise<UserListPage> {
    const roots = scopeRoots(actor, MANAGERS);
    if (roots.length === 0) {
      throw new OrganizationsException('ORG_OUT_OF_SCOPE');
    }
    const limit = Math.min(Math.max(Number(query.limit ?? 50), 1), 200);
    const qb = this.users.createQueryBuilder('u').innerJoin(OrgNodeEntity, 'o', 'o.id = u.org_id');
    qb.where(
      new Brackets((w) =>
        roots.forEach((root, i) =>
          w.orWhere(`o.path LIKE :root${i}`, { [`root${i}`]: `${root}%` }),
        ),
      ),
    );
    if (query.orgId) {
      const org = await this.tree.requireAt(actor, MANAGERS, query.orgId);
      qb.andWhere('o.path LIKE :sub', { sub: `${org.path}%` });
    }
    if (query.q) {
      const like = `%${query.q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
      qb.andWhere(
        new Brackets((w) =>
          w
            .where("u.username LIKE :q ESCAPE '\\'", { q: like })
            .orWhere("u.display_name LIKE :q ESCAPE '\\'", { q: like }),
        ),
      );
    }
    if (query.cursor) {
      qb.andWhere('u.username > :after', {
        after: Buffer.from(query.cursor, 'base64url').toString('utf8'),
      });
    }
    const rows = await qb
      .orderBy('u.username', 'ASC')
      .limit(limit + 1)
      .getMany();
    const page = rows.slice(0, limit);
    const grants =
      page.length > 0 ? await this.grants.findBy({ userId: In(page.map((u) => u.id)) }) : [];
    const items = await Promise.all(
      page.map(async (u) => toUserView(u, await this.tree.find(u.orgId), grants)),
    );
    const last = page[page.length - 1];
    return {
      items,
      nextCursor:
        rows.length > limit && last ? Buffer.from(last.username).toString('base64url') : null,
    };
  }

  /** A person the actor may manage; out of scope looks exactly like not found, so ids cannot be probed. */
  async findInScope(actor: Actor, id: unknown, roles: readonly Role[]): Promise<UserEntity> {
    const user =
      typeof id === 'string' && id.length <= 36 ? await this.users.findOneBy({ id }) : null;
    const org = user ? await this.tree.find(user.orgId) : null;
    if (!user || !org || !canActAt(actor, roles, org.path)) {
      throw new OrganizationsException('USER_NOT_FOUND');
    }
    return user;
  }

  async findById(id: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ id });
  }

  async findByUsername(username: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ username });
  }

  async grantsOf(userId: string): Promise<RoleAssignmentEntity[]> {
    return this.grants.findBy({ userId });
  }

  rolesToGrant(actor: Actor | null, org: OrgNodeEntity, roles: Role[]): Role[] {
    if (!actor) {
      return roles;
    }
    for (const role of roles) {
      const allowed = actor.grants.some(
        (g) => org.path.startsWith(g.orgPath) && GRANTABLE[g.role].includes(role),
      );
      if (!allowed) {
        throw new OrganizationsException('ROLE_NOT_GRANTABLE', { role }, 'roles');
      }
    }
    return roles;
  }

  async checkPostGrade(postType: string | null, postGrade: number | null): Promise<void> {
    if (postGrade === null || postType === null) {
      return;
    }
    const { bands } = await this.policy.get<PostGradesPolicy>('post-grades');
    const band = bands.find((b) => b.postType === postType);
    if (band && (postGrade < band.minGrade || postGrade > band.maxGrade)) {
      throw new OrganizationsException(
        'POST_GRADE_OUT_OF_BAND',
        { min: band.minGrade, max: band.maxGrade, grade: postGrade },
        'postGrade',
      );
    }
  }
}
