export const ROLES = ['learner', 'trainer', 'secretary', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface RoleGrant {
  role: Role;
  orgId: string;
  /** Materialised path of the node the role is held at, e.g. `/city/district/`; covers every path below it. */
  orgPath: string;
}

/** The signed-in person as every service sees them: who, where, and which roles over which subtrees. */
export interface Actor {
  userId: string;
  username: string;
  displayName: string;
  orgId: string;
  orgPath: string;
  grants: RoleGrant[];
  sessionId: string;
  via: 'cookie' | 'token';
  /** Someone else chose the password (an officer, a CSV import): pages send the person to /me/password. */
  mustChangePassword?: boolean;
}

export function holdsRole(actor: Actor, roles: readonly Role[]): boolean {
  return actor.grants.some((g) => roles.includes(g.role));
}

/** True when one of `roles` is held at the target node or one of its ancestors. */
export function canActAt(actor: Actor, roles: readonly Role[], targetPath: string): boolean {
  return actor.grants.some((g) => roles.includes(g.role) && targetPath.startsWith(g.orgPath));
}

/** The roots of the subtrees where the actor holds one of `roles` (for filtering lists row by row). */
export function scopeRoots(actor: Actor, roles: readonly Role[]): string[] {
  const paths = actor.grants.filter((g) => roles.includes(g.role)).map((g) => g.orgPath);
  // Drop paths already covered by a shorter one so queries stay small.
  return paths.filter((p) => !paths.some((other) => other !== p && p.startsWith(other)));
}
