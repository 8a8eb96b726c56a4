import { createHash, randomBytes } from 'node:crypto';
import type { Actor, Role } from '../common/access/actor';

/** A reset link lives 72 hours: long enough to hand over at the next branch meeting, short enough to go stale. */
export const RESET_LIFETIME_MS = 72 * 3600_000;

/** 256 bits from the CSPRNG, base64url: 43 characters that travel in a URL path unescaped. */
const SECRET_BYTES = 32;
const SECRET_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function resetTokenHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function newResetSecret(now: Date): { secret: string; tokenHash: string; expiresAt: Date } {
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  return {
    secret,
    tokenHash: resetTokenHash(secret),
    expiresAt: new Date(now.getTime() + RESET_LIFETIME_MS),
  };
}

/** Anything that cannot be a secret this module made is refused before the database is asked. */
export function looksLikeResetSecret(value: unknown): value is string {
  return typeof value === 'string' && SECRET_SHAPE.test(value);
}

/** A link works once, until it expires, and only while it is the person's newest. */
export function resetUsable(
  row: { usedAt: Date | null; revokedAt: Date | null; expiresAt: Date } | null,
  now: Date,
): boolean {
  return !!row && !row.usedAt && !row.revokedAt && row.expiresAt.getTime() > now.getTime();
}

export type ResetRefusal = 'self' | 'notGrantable';

/**
 * Who may hand a person a reset link: the caller must be able to grant every role the person holds, where they
 * hold it (a secretary resets learners of the branch, never a trainer, secretary or admin; an admin of a district
 * never an admin of the city). Taking over an account is at least as strong as granting its roles. One's own
 * password is changed with the current one at /me/password, never through a link.
 */
export function resetRefusal(
  actor: Pick<Actor, 'userId' | 'grants'>,
  targetUserId: string,
  targetGrants: ReadonlyArray<{ role: Role; orgPath: string }>,
  grantable: Readonly<Record<Role, readonly Role[]>>,
): ResetRefusal | null {
  if (actor.userId === targetUserId) {
    return 'self';
  }
  const covered = targetGrants.every(
    (target) =>
      target.role === 'learner' ||
      actor.grants.some(
        (g) => target.orgPath.startsWith(g.orgPath) && grantable[g.role].includes(target.role),
      ),
  );
  return covered ? null : 'notGrantable';
}
