import { Injectable } from '@nestjs/common';
import { Actor, canActAt, holdsRole, Role } from '../common/access/actor';
import { OrgTreeService } from '../organizations/org-tree.service';

export const AUTHOR_ROLES: readonly Role[] = ['trainer', 'admin'];

/** A grant held at a root of the tree (the city) covers the platform's shared content too. */
const isRootPath = (path: string): boolean => /^\/[^/]+\/$/.test(path);

/**
 * Scope rules of assessment rows. A bank or quiz with an org belongs to that subtree; one without (shipped in
 * content/) is shared: every trainer may read and use it, only a trainer or admin of a root node may change it,
 * and item analysis of a shared quiz counts only the learners in the trainer's own subtree.
 */
@Injectable()
export class AssessmentScope {
  constructor(private readonly tree: OrgTreeService) {}

  async pathOf(orgId: string | null): Promise<string | null> {
    if (!orgId) {
      return null;
    }
    return (await this.tree.find(orgId))?.path ?? null;
  }

  /** May read and use (quizzes from, export) a bank or see a quiz's analysis. */
  async canRead(actor: Actor, orgId: string | null): Promise<boolean> {
    if (!holdsRole(actor, AUTHOR_ROLES)) {
      return false;
    }
    if (!orgId) {
      return true;
    }
    const path = await this.pathOf(orgId);
    return path !== null && canActAt(actor, AUTHOR_ROLES, path);
  }

  /** May change (import into) a bank. */
  async canWrite(actor: Actor, orgId: string | null): Promise<boolean> {
    if (!orgId) {
      return actor.grants.some((g) => AUTHOR_ROLES.includes(g.role) && isRootPath(g.orgPath));
    }
    return this.canRead(actor, orgId);
  }

  /** The org a new bank belongs to when the trainer names none: where they hold the role. */
  defaultOrg(actor: Actor): string | null {
    return actor.grants.find((g) => AUTHOR_ROLES.includes(g.role))?.orgId ?? null;
  }

  /** May attach quizzes to a course of `orgId`: the trainer's own part of the tree or one above it. */
  async canUseCourse(actor: Actor, orgId: string | null): Promise<boolean> {
    if (!holdsRole(actor, AUTHOR_ROLES)) {
      return false;
    }
    const path = await this.pathOf(orgId);
    return (
      orgId === null ||
      (path !== null && (actor.orgPath.startsWith(path) || canActAt(actor, AUTHOR_ROLES, path)))
    );
  }

  /** Whether a learner (by their org path) may take a quiz owned by `orgId`. */
  async learnerMayTake(actor: Actor, orgId: string | null): Promise<boolean> {
    if (!orgId) {
      return true;
    }
    const path = await this.pathOf(orgId);
    return path !== null && actor.orgPath.startsWith(path);
  }
}
