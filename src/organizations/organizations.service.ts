import { Injectable } from '@nestjs/common';
import { Actor } from '../common/access/actor';
import { CreateOrgDto } from './dto/user.dto';
import { OrgNodeEntity } from './org-node.entity';
import { OrgTreeService } from './org-tree.service';

export interface OrgTreeNode {
  id: string;
  kind: string;
  name: string;
  nameEn: string | null;
  children: OrgTreeNode[];
}

export function toOrgView(
  node: OrgNodeEntity,
): Omit<OrgTreeNode, 'children'> & { parentId: string | null; path: string } {
  return {
    id: node.id,
    kind: node.kind,
    name: node.name,
    nameEn: node.nameEn,
    parentId: node.parentId,
    path: node.path,
  };
}

@Injectable()
export class OrganizationsService {
  constructor(private readonly orgTree: OrgTreeService) {}

  /** The whole tree as nested nodes, children ordered by name. */
  async tree(): Promise<{ items: OrgTreeNode[] }> {
    const nodes = await this.orgTree.all();
    const byParent = new Map<string | null, OrgNodeEntity[]>();
    for (const n of nodes) {
      byParent.set(n.parentId, [...(byParent.get(n.parentId) ?? []), n]);
    }
    const build = (parentId: string | null): OrgTreeNode[] =>
      (byParent.get(parentId) ?? [])
        .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'))
        .map((n) => ({
          id: n.id,
          kind: n.kind,
          name: n.name,
          nameEn: n.nameEn,
          children: build(n.id),
        }));
    return { items: build(null) };
  }

  async create(actor: Actor, dto: CreateOrgDto): Promise<ReturnType<typeof toOrgView>> {
    return toOrgView(await this.orgTree.create(actor, dto));
  }
}
