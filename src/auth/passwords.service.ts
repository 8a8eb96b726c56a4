import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { setTimeout as sleep } from 'node:timers/promises';
import { EntityManager, IsNull, Repository } from 'typeorm';
import { Actor, Role } from '../common/access/actor';
import { AuditService } from '../audit/audit.service';
import { AppConfigService } from '../config/app-config.service';
import { TransactionService } from '../database/transaction.service';
import { OrgTreeService } from '../organizations/org-tree.service';
import { UserEntity } from '../organizations/user.entity';
import { GRANTABLE, UsersService } from '../organizations/users.service';
import { AuthException } from './auth.exception';
import { LoginThrottle } from './login-throttle';
import { hashPassword, passwordProblem, verifyPassword } from './password-hasher';
import { PasswordResetEntity } from './password-reset.entity';
import {
  looksLikeResetSecret,
  newResetSecret,
  resetRefusal,
  resetTokenHash,
  resetUsable,
} from './password-reset.rules';
import { SessionsService } from './sessions.service';
import { newId } from '../common/ids';

const MANAGERS: readonly Role[] = ['admin', 'secretary'];

export interface PasswordInput {
  currentPassword: string;
  newPassword: string;
  /** The form asks twice; the API does not. */
  confirmPassword?: string;
}

export interface IssuedReset {
  resetUrl: string;
  expiresAt: string;
  user: { id: string; username: string; displayName: string };
}

/**
 * Changing one's own password (with the current one) and one-time reset links handed over by an officer. There is
 * no e-mail or SMS in this product, so a forgotten password always goes through an administrator or the branch
 * secretary, who generates the link and gives it to the person.
 */
@Injectable()
export class PasswordsService {
  constructor(
    @InjectRepository(PasswordResetEntity)
    private readonly resets: Repository<PasswordResetEntity>,
    private readonly users: UsersService,
    private readonly tree: OrgTreeService,
    private readonly sessions: SessionsService,
    private readonly throttle: LoginThrottle,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
    private readonly config: AppConfigService,
  ) {}

  /**
   * ASVS 6.2.3: the current password is required, and a wrong one counts against the same throttle as sign-in, so
   * a session left open on a shared computer cannot be used to guess it. Every other session and token of the
   * person ends (ASVS 7.4.3). `keep` leaves the session in use signed in (the API); `rotate` ends it too and
   * answers the secret of a fresh one (the page, which sets it as the new cookie).
   */
  async changeOwn(
    actor: Actor,
    input: PasswordInput,
    ip: string,
    mode: 'keep' | 'rotate',
  ): Promise<{ secret: string | null }> {
    const wait = await this.throttle.blockedFor(actor.username, ip);
    if (wait > 0) {
      await this.audit.record({
        action: 'auth.throttled',
        actor,
        ip,
        targetType: 'user',
        targetId: actor.userId,
      });
      throw new AuthException('LOGIN_THROTTLED', { seconds: wait });
    }
    const user = await this.users.findById(actor.userId);
    if (!user?.active) {
      throw new AuthException('NOT_SIGNED_IN');
    }
    if (!(await verifyPassword(input.currentPassword, user.passwordHash))) {
      const delay = await this.throttle.fail(user.username, ip);
      await this.audit.record({
        action: 'auth.password_change_failed',
        actor,
        ip,
        targetType: 'user',
        targetId: user.id,
        orgId: user.orgId,
      });
      if (delay > 0) {
        await sleep(delay);
      }
      throw new AuthException('CURRENT_PASSWORD_WRONG', {}, 'currentPassword');
    }
    await this.throttle.succeed(user.username);
    this.checkNewPassword(input.newPassword, input.confirmPassword, user.username);
    if (input.newPassword.normalize('NFC') === input.currentPassword.normalize('NFC')) {
      throw new AuthException(
        'PASSWORD_REJECTED',
        { reasonKey: 'auth.password.sameAsCurrent' },
        'newPassword',
      );
    }
    const passwordHash = await hashPassword(input.newPassword);
    await this.tx.run(async (m) => {
      await this.setPassword(m, user.id, passwordHash);
      await this.audit.record(
        {
          action: 'auth.password_changed',
          actor,
          ip,
          targetType: 'user',
          targetId: user.id,
          orgId: user.orgId,
          details: { via: actor.via, wasRequired: user.mustChangePassword },
        },
        m,
      );
    });
    if (mode === 'keep') {
      await this.sessions.revokeOthersOf(user.id, actor.sessionId);
      return { secret: null };
    }
    await this.sessions.revokeOthersOf(user.id, null);
    const { secret } = await this.sessions.open(user.id, 'cookie', ip);
    return { secret };
  }

  /**
   * A one-time link for a person the caller manages. Unknown and out-of-scope people answer the same 404 as every
   * other people route; the caller must be able to grant every role the person holds. A new link ends the previous
   * one. The secret is answered once and never stored or logged: the table keeps its SHA-256.
   */
  async issueReset(actor: Actor, userId: string, ip: string): Promise<IssuedReset> {
    const user = await this.users.findInScope(actor, userId, MANAGERS);
    const grants: Array<{ role: Role; orgPath: string }> = [];
    for (const g of await this.users.grantsOf(user.id)) {
      const node = await this.tree.find(g.orgId);
      // A grant at a node that no longer exists covers nothing; keep it so only a root-level admin passes.
      grants.push({ role: g.role, orgPath: node?.path ?? '' });
    }
    const refusal = resetRefusal(actor, user.id, grants, GRANTABLE);
    if (refusal === 'self') {
      throw new AuthException('CANNOT_RESET_OWN_PASSWORD');
    }
    if (refusal) {
      throw new AuthException('RESET_NOT_ALLOWED');
    }
    const now = new Date();
    const { secret, tokenHash, expiresAt } = newResetSecret(now);
    const id = newId();
    await this.tx.run(async (m) => {
      if (this.tx.isPostgres) {
        // Two officers generating links for one person at once: the second waits, then ends the first's link.
        await m
          .getRepository(UserEntity)
          .createQueryBuilder('u')
          .setLock('pessimistic_write')
          .where('u.id = :id', { id: user.id })
          .getOne();
      }
      await this.endOpenResets(m, user.id, now);
      await m.getRepository(PasswordResetEntity).insert({
        id,
        userId: user.id,
        tokenHash,
        createdBy: actor.userId,
        createdAt: now,
        expiresAt,
        usedAt: null,
        revokedAt: null,
      });
      await this.audit.record(
        {
          action: 'auth.password_reset_issued',
          actor,
          ip,
          targetType: 'user',
          targetId: user.id,
          orgId: user.orgId,
          details: { resetId: id, expiresAt: expiresAt.toISOString() },
        },
        m,
      );
    });
    return {
      resetUrl: `${this.config.publicUrl.replace(/\/+$/, '')}/reset-password/${secret}`,
      expiresAt: expiresAt.toISOString(),
      user: { id: user.id, username: user.username, displayName: user.displayName },
    };
  }

  /** Whose link this is (for the form), or RESET_LINK_INVALID alike for unknown, used, replaced and expired. */
  async resetTarget(secret: unknown): Promise<{ username: string }> {
    const { user } = await this.usableReset(secret);
    return { username: user.username };
  }

  /**
   * Sets the password from a link. The link names the person; no id from the request is trusted. Used once: the
   * conditional update lets exactly one of two simultaneous submissions through. Every session and token ends.
   */
  async completeReset(
    secret: unknown,
    newPassword: string,
    confirmPassword: string | undefined,
    ip: string,
  ): Promise<void> {
    const { reset, user } = await this.usableReset(secret);
    this.checkNewPassword(newPassword, confirmPassword, user.username);
    const passwordHash = await hashPassword(newPassword);
    const now = new Date();
    await this.tx.run(async (m) => {
      const claimed = await m
        .getRepository(PasswordResetEntity)
        .update({ id: reset.id, usedAt: IsNull(), revokedAt: IsNull() }, { usedAt: now });
      if (claimed.affected !== 1) {
        throw new AuthException('RESET_LINK_INVALID');
      }
      await this.setPassword(m, user.id, passwordHash);
      await this.audit.record(
        {
          action: 'auth.password_reset_used',
          actor: { userId: user.id, username: user.username },
          ip,
          targetType: 'user',
          targetId: user.id,
          orgId: user.orgId,
          details: { resetId: reset.id },
        },
        m,
      );
    });
    await this.sessions.revokeOthersOf(user.id, null);
    // Earlier failed sign-ins (perhaps the very reason for the link) no longer stand in the way.
    await this.throttle.succeed(user.username);
  }

  private async usableReset(
    secret: unknown,
  ): Promise<{ reset: PasswordResetEntity; user: UserEntity }> {
    const reset = looksLikeResetSecret(secret)
      ? await this.resets.findOneBy({ tokenHash: resetTokenHash(secret) })
      : null;
    const user =
      reset && resetUsable(reset, new Date()) ? await this.users.findById(reset.userId) : null;
    if (!reset || !user) {
      throw new AuthException('RESET_LINK_INVALID');
    }
    return { reset, user };
  }

  private checkNewPassword(
    newPassword: string,
    confirmPassword: string | undefined,
    username: string,
  ): void {
    if (confirmPassword !== undefined && confirmPassword !== newPassword) {
      throw new AuthException('PASSWORD_CONFIRM_MISMATCH', {}, 'confirmPassword');
    }
    const problem = passwordProblem(newPassword, username);
    if (problem) {
      throw new AuthException(
        'PASSWORD_REJECTED',
        { reasonKey: `orgs.password.${problem}` },
        'newPassword',
      );
    }
  }

  /** The person's own password from now on: the must-change flag goes, and so does any link still open. */
  private async setPassword(m: EntityManager, userId: string, passwordHash: string): Promise<void> {
    const now = new Date();
    await m
      .getRepository(UserEntity)
      .update({ id: userId }, { passwordHash, mustChangePassword: false, updatedAt: now });
    await this.endOpenResets(m, userId, now);
  }

  private async endOpenResets(m: EntityManager, userId: string, now: Date): Promise<void> {
    await m
      .getRepository(PasswordResetEntity)
      .update({ userId, usedAt: IsNull(), revokedAt: IsNull() }, { revokedAt: now });
  }
}
