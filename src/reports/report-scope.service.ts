import { Injectable } from '@nestjs/common';
import { Actor, Role } from '../common/access/actor';
import { OrgNodeEntity } from '../organizations/org-node.entity';
import { OrgTreeService } from '../organizations/org-tree.service';
import { ReportsException } from './reports.exception';

export const REPORT_VIEWERS: readonly Role[] = ['secretary', 'admin'];

export interface OrgOption {
  id: string;
  name: string;
  kind: string;
  depth: number;
  /** The name indented by depth, for a plain <select>. */
  indented: string;
  selected: boolean;
}

/** Which organisation node a report covers: the one asked for, checked against the caller's roles and scope. */
@Injectable()
export class ReportScopeService {
  constructor(private readonly tree: OrgTreeService) {}

  /** The named node (403 outside the caller's subtrees) or, by default, the caller's highest scope node. */
  async resolve(actor: Actor, orgId?: string): Promise<OrgNodeEntity> {
    const id = orgId && orgId !== '' ? orgId : this.defaultOrgId(actor);
    if (!id) {
      throw new ReportsException('REPORT_NO_SCOPE');
    }
    return this.tree.requireAt(actor, REPORT_VIEWERS, id);
  }

  defaultOrgId(actor: Actor): string | null {
    const grants = actor.grants
      .filter((g) => REPORT_VIEWERS.includes(g.role))
      .sort((a, b) => a.orgPath.length - b.orgPath.length);
    return grants[0]?.orgId ?? null;
  }

  /** Every node under `root` (itself included), ordered by path. */
  async subtree(root: OrgNodeEntity): Promise<OrgNodeEntity[]> {
    return (await this.tree.all())
      .filter((n) => n.path.startsWith(root.path))
      .sort((a, b) => a.path.localeCompare(b.path));
  }

  /** The org picker: nodes above branch level plus branches, limited to the caller's scope. */
  async picker(actor: Actor, selectedId: string): Promise<OrgOption[]> {
    const visible = (await this.tree.visible(actor, REPORT_VIEWERS)).filter(
      (n) => n.kind !== 'group',
    );
    const min = Math.min(...visible.map((n) => n.depth));
    return visible.map((n) => ({
      id: n.id,
      name: n.name,
      kind: n.kind,
      depth: n.depth - min,
      indented: `${'\u3000'.repeat(n.depth - min)}${n.name}`,
      selected: n.id === selectedId,
    }));
  }
}
