import { Actor, canActAt } from '../common/access/actor';

/** Roles that manage courses of a subtree. */
export const COURSE_EDITORS = ['trainer', 'admin'] as const;

const isRootPath = (path: string): boolean => /^\/[^/]+\/$/.test(path);

/**
 * Who sees a course: people of the owner's subtree (a district's course is for that district) and those who
 * manage that subtree. A course without an owner (imported before the tree existed) belongs to everyone.
 */
export function canSeeCourse(actor: Actor, ownerPath: string | null): boolean {
  if (ownerPath === null) {
    return true;
  }
  return (
    actor.orgPath.startsWith(ownerPath) ||
    canActAt(actor, ['trainer', 'admin', 'secretary'], ownerPath)
  );
}

/** Trainers (and administrators) of the owner's subtree edit; an ownerless course needs a role at a root node. */
export function canEditCourse(actor: Actor, ownerPath: string | null): boolean {
  if (ownerPath === null) {
    return actor.grants.some(
      (g) => (COURSE_EDITORS as readonly string[]).includes(g.role) && isRootPath(g.orgPath),
    );
  }
  return canActAt(actor, COURSE_EDITORS, ownerPath);
}
