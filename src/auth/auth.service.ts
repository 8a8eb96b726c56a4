import { Injectable, OnModuleInit } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { Actor } from '../common/access/actor';
import { AuditService } from '../audit/audit.service';
import { OrgTreeService } from '../organizations/org-tree.service';
import { UsersService } from '../organizations/users.service';
import { AuthException } from './auth.exception';
import { LoginThrottle } from './login-throttle';
import { decoyHash, verifyPassword } from './password-hasher';
import { SessionsService } from './sessions.service';

export interface SignedIn {
  secret: string;
  actor: Actor;
}

export interface MeView {
  id: string;
  username: string;
  displayName: string;
  roles: Array<{ role: string; orgId: string }>;
  org: { id: string; name: string; kind: string } | null;
  branch: { id: string; name: string } | null;
  community: { id: string; name: string } | null;
  postType: string | null;
  postGrade: number | null;
  partyMember: boolean;
  qualificationLevel: string;
}

@Injectable()
export class AuthService implements OnModuleInit {
  constructor(
    private readonly throttle: LoginThrottle,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly tree: OrgTreeService,
    private readonly audit: AuditService,
  ) {}

  /** The decoy hash is made at start-up, so even the first unknown username costs exactly one scrypt. */
  async onModuleInit(): Promise<void> {
    await decoyHash();
  }

  /**
   * Same answer and similar time for an unknown user, a wrong password and a disabled account (right password
   * or not), so usernames cannot be probed.
   */
  async signIn(
    username: string,
    password: string,
    kind: 'cookie' | 'token',
    ip: string,
  ): Promise<SignedIn> {
    const wait = await this.throttle.blockedFor(username, ip);
    if (wait > 0) {
      await this.audit.record({
        action: 'auth.throttled',
        ip,
        targetType: 'username',
        targetId: username.slice(0, 64),
      });
      throw new AuthException('LOGIN_THROTTLED', { seconds: wait });
    }
    const user = await this.users.findByUsername(username);
    // An unknown username (or an unusable stored hash) still costs one scrypt, so timing tells nothing.
    const stored = user?.passwordHash.startsWith('scrypt$') ? user.passwordHash : undefined;
    const ok = await verifyPassword(password, stored ?? (await decoyHash()));
    if (!user || !ok || !user.active) {
      const delay = await this.throttle.fail(username, ip);
      await this.audit.record({
        action: 'auth.failed',
        ip,
        targetType: 'username',
        targetId: username.slice(0, 64),
        orgId: user?.orgId ?? null,
      });
      if (delay > 0) {
        await sleep(delay);
      }
      throw new AuthException('INVALID_CREDENTIALS');
    }
    await this.throttle.succeed(username);
    const { secret, sessionId } = await this.sessions.open(user.id, kind, ip);
    const actor = await this.sessions.actorFor(user.id, sessionId, kind);
    if (!actor) {
      throw new AuthException('INVALID_CREDENTIALS');
    }
    await this.audit.record({
      action: 'auth.signed_in',
      actor,
      ip,
      targetType: 'user',
      targetId: user.id,
      orgId: user.orgId,
      details: { via: kind },
    });
    return { secret, actor };
  }

  /** Sign-out ends every session and token of the person, on every device (ASVS 3.3.1, issue 9). */
  async signOut(actor: Actor): Promise<void> {
    await this.sessions.revokeAllOf({ userId: actor.userId });
  }

  async me(actor: Actor): Promise<MeView> {
    const user = await this.users.findById(actor.userId);
    if (!user) {
      throw new AuthException('NOT_SIGNED_IN');
    }
    const org = await this.tree.find(user.orgId);
    const branch = org ? await this.tree.nearest(org, 'branch') : null;
    const community = org ? await this.tree.nearest(org, 'community') : null;
    return {
      id: user.id,
      username: user.username,
      displayName: user.displayName,
      roles: actor.grants.map((g) => ({ role: g.role, orgId: g.orgId })),
      org: org ? { id: org.id, name: org.name, kind: org.kind } : null,
      branch: branch ? { id: branch.id, name: branch.name } : null,
      community: community ? { id: community.id, name: community.name } : null,
      postType: user.postType,
      postGrade: user.postGrade,
      partyMember: user.partyMember,
      qualificationLevel: user.qualificationLevel,
    };
  }
}
