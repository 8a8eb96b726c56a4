import type { Actor, Role } from '../common/access/actor';
import { GRANTABLE } from '../organizations/users.service';
import {
  looksLikeResetSecret,
  newResetSecret,
  RESET_LIFETIME_MS,
  resetRefusal,
  resetTokenHash,
  resetUsable,
} from './password-reset.rules';

const NOW = new Date('2027-03-01T02:00:00Z');
const later = (ms: number) => new Date(NOW.getTime() + ms);

const actorWith = (
  userId: string,
  grants: Array<[Role, string]>,
): Pick<Actor, 'userId' | 'grants'> => ({
  userId,
  grants: grants.map(([role, orgPath]) => ({ role, orgId: orgPath, orgPath })),
});

describe('newResetSecret', () => {
  it('makes a 256-bit base64url secret, stores only its SHA-256 and expires 72 hours later', () => {
    const { secret, tokenHash, expiresAt } = newResetSecret(NOW);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(tokenHash).toBe(resetTokenHash(secret));
    expect(tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenHash).not.toContain(secret);
    expect(expiresAt.getTime() - NOW.getTime()).toBe(72 * 3600_000);
    expect(RESET_LIFETIME_MS).toBe(72 * 3600_000);
  });

  it('never repeats a secret over a thousand links', () => {
    const secrets = new Set(Array.from({ length: 1000 }, () => newResetSecret(NOW).secret));
    expect(secrets.size).toBe(1000);
  });
});

describe('looksLikeResetSecret', () => {
  it('accepts what newResetSecret makes and refuses anything else before the database is asked', () => {
    expect(looksLikeResetSecret(newResetSecret(NOW).secret)).toBe(true);
    for (const bad of [
      '',
      'x',
      'a'.repeat(42),
      'a'.repeat(44),
      `${'a'.repeat(42)}/`,
      `${'a'.repeat(42)}=`,
      42,
      null,
      undefined,
    ]) {
      expect(looksLikeResetSecret(bad)).toBe(false);
    }
  });
});

describe('resetUsable', () => {
  const open = { usedAt: null, revokedAt: null, expiresAt: later(1000) };

  it('lets an open link through until the instant it expires', () => {
    expect(resetUsable(open, NOW)).toBe(true);
    expect(resetUsable(open, later(999))).toBe(true);
    expect(resetUsable(open, later(1000))).toBe(false);
  });

  it('refuses a used link, a replaced link and no link at all', () => {
    expect(resetUsable({ ...open, usedAt: NOW }, NOW)).toBe(false);
    expect(resetUsable({ ...open, revokedAt: NOW }, NOW)).toBe(false);
    expect(resetUsable(null, NOW)).toBe(false);
  });
});

describe('resetRefusal', () => {
  const branch = '/city/district/street/community/branch/';
  const sibling = '/city/district/street/community/sibling/';
  const secretary = actorWith('sec', [
    ['learner', branch],
    ['secretary', branch],
  ]);
  const districtAdmin = actorWith('adm', [['admin', '/city/district/']]);

  it('lets a secretary reset a learner of the branch', () => {
    expect(
      resetRefusal(secretary, 'u1', [{ role: 'learner', orgPath: branch }], GRANTABLE),
    ).toBeNull();
  });

  it('refuses a secretary resetting a trainer, another secretary or an admin', () => {
    for (const role of ['trainer', 'secretary', 'admin'] as const) {
      expect(
        resetRefusal(
          secretary,
          'u2',
          [
            { role: 'learner', orgPath: branch },
            { role, orgPath: branch },
          ],
          GRANTABLE,
        ),
      ).toBe('notGrantable');
    }
  });

  it('lets an admin reset a secretary inside the subtree but not an admin above it', () => {
    expect(
      resetRefusal(districtAdmin, 'u3', [{ role: 'secretary', orgPath: sibling }], GRANTABLE),
    ).toBeNull();
    expect(
      resetRefusal(districtAdmin, 'u4', [{ role: 'admin', orgPath: '/city/' }], GRANTABLE),
    ).toBe('notGrantable');
  });

  it('never hands out a link for one’s own account', () => {
    expect(resetRefusal(districtAdmin, 'adm', [], GRANTABLE)).toBe('self');
  });
});
