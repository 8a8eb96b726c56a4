import { Injectable } from '@nestjs/common';
import { Actor } from '../common/access/actor';
import { ListUsersQuery } from './dto/user.dto';
import { OrgTreeService } from './org-tree.service';
import { UsersService } from './users.service';
import { UserView } from './user.view';

export interface PeoplePage {
  tree: Array<{ id: string; name: string; kind: string; depth: number; selected: boolean }>;
  people: UserView[];
  q: string;
  orgId: string;
  nextCursor: string | null;
}

/** View model of the admin page: the visible part of the tree and the people of the chosen node. */
@Injectable()
export class AdminPagesService {
  constructor(
    private readonly tree: OrgTreeService,
    private readonly users: UsersService,
  ) {}

  async peoplePage(actor: Actor, query: ListUsersQuery): Promise<PeoplePage> {
    const visible = await this.tree.visible(actor, ['admin', 'secretary']);
    const minDepth = Math.min(...visible.map((n) => n.depth));
    const page = await this.users.list(actor, query);
    return {
      tree: visible.map((n) => ({
        id: n.id,
        name: n.name,
        kind: n.kind,
        depth: n.depth - minDepth,
        selected: n.id === query.orgId,
      })),
      people: page.items,
      q: query.q ?? '',
      orgId: query.orgId ?? '',
      nextCursor: page.nextCursor,
    };
  }
}
