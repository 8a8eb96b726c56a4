import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { Actor, canActAt, Role, scopeRoots } from '../common/access/actor';
import { TransactionService } from '../database/transaction.service';
import { AuditService } from '../audit/audit.service';
import { CHILD_KINDS, OrgKind, OrgNodeEntity } from './org-node.entity';
import { OrganizationsException } from './organizations.exception';
import { newId } from '../common/ids';

export interface NewOrgNode {
  kind: OrgKind;
  name: string;
  nameEn?: string | null;
  parentId?: string | null;
  zone?: string;
  code?: string | null;
  id?: string;
}

/** How long the in-memory copy of the tree is trusted; another process's change shows within this time. */
const TREE_CACHE_MS = 15_000;

/**
 * The organisation tree and the one scope check every module uses: a role held at a node covers its subtree.
 * The tree is small (a city has a few thousand nodes) and read on every scoped request, so it is cached.
 */
@Injectable()
export class OrgTreeService {
  private nodes = new Map<string, OrgNodeEntity>();
  private loadedAt = 0;
  private reloading: Promise<void> | null = null;

  constructor(
    @InjectRepository(OrgNodeEntity) private readonly repo: Repository<OrgNodeEntity>,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
  ) {}

  async all(): Promise<OrgNodeEntity[]> {
    await this.refresh();
    return [...this.nodes.values()];
  }

  async find(id: unknown): Promise<OrgNodeEntity | null> {
    if (typeof id !== 'string' || id === '') {
      return null;
    }
    await this.refresh();
    if (!this.nodes.has(id)) {
      // A node created by another process since the cache was filled.
      const fresh = await this.repo.findOneBy({ id });
      if (fresh) {
        this.nodes.set(id, fresh);
      }
      return fresh;
    }
    return this.nodes.get(id) ?? null;
  }

  async get(id: unknown): Promise<OrgNodeEntity> {
    const node = await this.find(id);
    if (!node) {
      throw new OrganizationsException('ORG_NOT_FOUND');
    }
    return node;
  }

  /** Throws 403 unless the actor holds one of `roles` at the node or above it. */
  async requireAt(actor: Actor, roles: readonly Role[], orgId: unknown): Promise<OrgNodeEntity> {
    const node = await this.get(orgId);
    if (!canActAt(actor, roles, node.path)) {
      throw new OrganizationsException('ORG_OUT_OF_SCOPE');
    }
    return node;
  }

  /** Nodes inside the actor's subtrees for `roles` (row-by-row filtering of lists and reports). */
  async visible(actor: Actor, roles: readonly Role[], kind?: OrgKind): Promise<OrgNodeEntity[]> {
    const roots = scopeRoots(actor, roles);
    return (await this.all())
      .filter((n) => (!kind || n.kind === kind) && roots.some((r) => n.path.startsWith(r)))
      .sort((a, b) => a.path.localeCompare(b.path));
  }

  async ancestors(node: OrgNodeEntity): Promise<OrgNodeEntity[]> {
    const ids = node.path.split('/').filter(Boolean);
    const found = await Promise.all(ids.map((id) => this.find(id)));
    return found.filter((n): n is OrgNodeEntity => n !== null);
  }

  /** The nearest node of `kind` at or above `node` (the community of a branch, the branch of a group). */
  async nearest(node: OrgNodeEntity, kind: OrgKind): Promise<OrgNodeEntity | null> {
    const chain = await this.ancestors(node);
    return [...chain].reverse().find((n) => n.kind === kind) ?? null;
  }

  async create(
    actor: Actor | null,
    input: NewOrgNode,
    manager?: EntityManager,
  ): Promise<OrgNodeEntity> {
    const work = async (m: EntityManager): Promise<OrgNodeEntity> => {
      const parent = input.parentId
        ? await m.getRepository(OrgNodeEntity).findOneBy({ id: input.parentId })
        : null;
      if (input.parentId && !parent) {
        throw new OrganizationsException('ORG_NOT_FOUND');
      }
      if (actor) {
        if (!parent || !canActAt(actor, ['admin'], parent.path)) {
          throw new OrganizationsException('ORG_OUT_OF_SCOPE');
        }
      }
      if (parent ? !CHILD_KINDS[parent.kind].includes(input.kind) : input.kind !== 'city') {
        throw new OrganizationsException('ORG_KIND_NOT_ALLOWED', {
          kind: input.kind,
          parent: parent?.kind ?? '-',
        });
      }
      const id = input.id ?? newId();
      const node = m.getRepository(OrgNodeEntity).create({
        id,
        kind: input.kind,
        name: input.name,
        nameEn: input.nameEn ?? null,
        parentId: parent?.id ?? null,
        path: `${parent?.path ?? '/'}${id}/`,
        depth: (parent?.depth ?? -1) + 1,
        zone: input.zone ?? parent?.zone ?? 'Asia/Shanghai',
        code: input.code ?? null,
        createdAt: new Date(),
      });
      await m.getRepository(OrgNodeEntity).insert(node);
      if (actor) {
        await this.audit.record(
          {
            action: 'org.create',
            actor,
            targetType: 'org',
            targetId: id,
            orgId: id,
            details: { name: input.name, kind: input.kind },
          },
          m,
        );
      }
      return node;
    };
    const node = manager ? await work(manager) : await this.tx.run(work);
    this.nodes.set(node.id, node);
    return node;
  }

  /** Forget everything cached (after a failed seed, so rolled-back nodes do not linger). */
  invalidate(): void {
    this.loadedAt = 0;
    this.reloading = null;
    this.nodes = new Map();
  }

  /**
   * Reloads the tree when it is older than TREE_CACHE_MS. One reload at a time: when the copy expires under load,
   * every request used to start its own full read of the tree (32 of them in one benchmark run, each blocking the
   * single SQLite connection). Once a copy exists, requests keep using it while the reload runs.
   */
  private refresh(): Promise<void> {
    if (Date.now() - this.loadedAt < TREE_CACHE_MS) {
      return Promise.resolve();
    }
    if (!this.reloading) {
      this.reloading = this.reload().finally(() => {
        this.reloading = null;
      });
    }
    if (this.loadedAt === 0) {
      return this.reloading;
    }
    // A failed background reload keeps the current copy; the next request past the limit tries again.
    this.reloading.catch(() => undefined);
    return Promise.resolve();
  }

  private async reload(): Promise<void> {
    const rows = await this.repo.find();
    const fresh = new Map(rows.map((n) => [n.id, n]));
    // Keep nodes this process created in a transaction that has not committed yet (the demo seed builds the tree
    // and then uses it inside one transaction; on PostgreSQL the pool cannot see those rows yet).
    for (const [id, node] of this.nodes) {
      if (!fresh.has(id)) {
        fresh.set(id, node);
      }
    }
    this.nodes = fresh;
    this.loadedAt = Date.now();
  }
}
