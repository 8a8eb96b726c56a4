import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { hash, randomBytes } from 'node:crypto';
import { DataSource, IsNull, Not, Repository } from 'typeorm';
import { Actor, Role, RoleGrant } from '../common/access/actor';
import { isStorageFailure } from '../database/db-errors';
import { namedWrite } from '../database/named-query';
import { SqliteReaders } from '../database/sqlite-readers';
import { TransactionService } from '../database/transaction.service';
import { OrgTreeService } from '../organizations/org-tree.service';
import { USER_DEACTIVATED, UsersService } from '../organizations/users.service';
import { AuthSessionEntity } from './auth-session.entity';
import { newId } from '../common/ids';
import { SharedLoads } from '../common/shared-loads';

/** Page sessions end after 2 hours idle or 12 hours in all; API tokens after 30 days. */
export const LIFETIMES = {
  cookie: { idleMs: 2 * 3600_000, absoluteMs: 12 * 3600_000 },
  token: { idleMs: 30 * 24 * 3600_000, absoluteMs: 30 * 24 * 3600_000 },
} as const;
/** `last_seen_at` is written at most once a minute per session, not on every request. */
const TOUCH_EVERY_MS = 60_000;
/**
 * Last-seen times wait this long and are then written together, up to TOUCHES_PER_STATEMENT sessions in one UPDATE.
 * Shorter than ACTOR_TTL_MS, so a session read back from the database after its cache entry lapsed has them.
 */
const TOUCH_FLUSH_MS = 1_000;
const TOUCHES_PER_STATEMENT = 500;

/** What an actor is made of: the person's own columns. */
interface ActorPerson {
  id: string;
  username: string;
  displayName: string;
  orgId: string;
  mustChangePassword: boolean;
}

interface SessionWithPerson {
  id: string;
  lastSeenAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  user: ActorPerson & { active: boolean };
  grants: Array<{ role: Role; orgId: string }>;
}
/**
 * Resolved sessions are kept in the process for a few seconds so a signed-in request costs no database read.
 * Sign-out, deactivation and any write to people, roles or org nodes in this process drop entries at
 * once; a change made by another process (CLI) takes effect within the TTL.
 */
const ACTOR_TTL_MS = 5_000;
const ACTOR_CACHE_MAX = 20_000;
const ACTOR_TABLES = new Set(['users', 'role_assignments', 'org_nodes']);

interface CachedSession {
  actor: Actor;
  sessionId: string;
  userId: string;
  expiresAt: number;
  lastSeenAt: number;
  cachedAt: number;
}

// The one-shot `hash` rather than a Hash object: every request hashes its session secret to find the session
// (0.3 against 0.7-1.2 µs a call measured here, and no object left for the collector).
const sha256 = (s: string): string => hash('sha256', s, 'hex');

@Injectable()
export class SessionsService implements BeforeApplicationShutdown {
  constructor(
    @InjectRepository(AuthSessionEntity) private readonly sessions: Repository<AuthSessionEntity>,
    private readonly users: UsersService,
    private readonly tree: OrgTreeService,
    private readonly tx: TransactionService,
    private readonly readers: SqliteReaders,
    dataSource: DataSource,
  ) {
    const clear = (event: { metadata?: { tableName?: string } }): void => {
      if (event.metadata?.tableName && ACTOR_TABLES.has(event.metadata.tableName)) {
        this.cache.clear();
        this.loads.forgetAll();
      }
    };
    dataSource.subscribers.push({ afterInsert: clear, afterUpdate: clear, afterRemove: clear });
  }

  private readonly cache = new Map<string, CachedSession>();
  private readonly logger = new Logger('Sessions');
  /** Sessions used since the last flush, with when each was last seen (see touch()). */
  private readonly seen = new Map<string, number>();
  private touchTimer: NodeJS.Timeout | null = null;
  /**
   * Lookups in flight, by cache key: a person's first page (or the first after the cache entry aged out) often
   * comes with several requests at once, and they share one database read instead of each making it. Dropping
   * cached actors (a revocation, a write to people or grants) forgets them: a lookup that started before keeps its
   * answer to itself instead of caching what may already be stale.
   */
  private readonly loads = new SharedLoads<Actor | null>();

  /** A fresh random secret per sign-in, so the session id always changes at login. */
  async open(
    userId: string,
    kind: 'cookie' | 'token',
    ip: string | null,
  ): Promise<{ secret: string; sessionId: string }> {
    const secret = randomBytes(32).toString('base64url');
    const now = new Date();
    const id = newId();
    await this.tx.run((m) =>
      m.getRepository(AuthSessionEntity).insert({
        id,
        userId,
        tokenHash: sha256(secret),
        kind,
        createdAt: now,
        lastSeenAt: now,
        expiresAt: new Date(now.getTime() + LIFETIMES[kind].absoluteMs),
        revokedAt: null,
        ip,
      }),
    );
    return { secret, sessionId: id };
  }

  /** The actor behind a secret, or null when it is unknown, revoked, expired, idle too long, or the person is disabled. */
  async resolve(secret: string, kind: 'cookie' | 'token'): Promise<Actor | null> {
    if (secret.length < 20 || secret.length > 100) {
      return null;
    }
    const tokenHash = sha256(secret);
    const key = `${kind}:${tokenHash}`;
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && now - hit.cachedAt < ACTOR_TTL_MS) {
      if (hit.expiresAt <= now || now - hit.lastSeenAt > LIFETIMES[kind].idleMs) {
        this.cache.delete(key);
        return null;
      }
      if (now - hit.lastSeenAt > TOUCH_EVERY_MS) {
        hit.lastSeenAt = now;
        this.touch(hit.sessionId, now);
      }
      return hit.actor;
    }
    return this.loads.run(key, (current) => this.load(key, tokenHash, kind, now, current));
  }

  private async load(
    key: string,
    tokenHash: string,
    kind: 'cookie' | 'token',
    now: number,
    current: () => boolean,
  ): Promise<Actor | null> {
    const session = await this.sessionWithPerson(tokenHash, kind);
    if (
      !session ||
      session.revokedAt ||
      session.expiresAt.getTime() <= now ||
      now - session.lastSeenAt.getTime() > LIFETIMES[kind].idleMs
    ) {
      return null;
    }
    const actor = session.user.active
      ? await this.assemble(session.user, session.grants, session.id, kind)
      : null;
    let lastSeenAt = session.lastSeenAt.getTime();
    if (actor && now - lastSeenAt > TOUCH_EVERY_MS) {
      lastSeenAt = now;
      this.touch(session.id, now);
    }
    if (actor && current()) {
      // A Map iterates in insertion order, so the entries cached longest ago come first: those past their TTL
      // are dropped (a storm's 2,000 first requests left 2,000 actors behind until the cache filled), then the
      // oldest if it is full. Deleted before it is set, a reloaded key moves to the back with its new time.
      for (const [old, entry] of this.cache) {
        if (now - entry.cachedAt < ACTOR_TTL_MS && this.cache.size < ACTOR_CACHE_MAX) {
          break;
        }
        this.cache.delete(old);
      }
      this.cache.delete(key);
      this.cache.set(key, {
        actor,
        sessionId: session.id,
        userId: session.user.id,
        expiresAt: session.expiresAt.getTime(),
        lastSeenAt,
        cachedAt: now,
      });
    }
    return actor;
  }

  /**
   * Last-seen bookkeeping: notes that a session was used, for the next flush. A request no longer waits for its own
   * last-seen write, and the first requests of a study day's 2,000 members (each one's first in the storm, a minute
   * or more after they signed in) share a few UPDATEs instead of each adding a write to the check-in's transaction.
   */
  private touch(sessionId: string, now: number): void {
    this.seen.set(sessionId, Math.max(now, this.seen.get(sessionId) ?? 0));
    if (!this.touchTimer) {
      this.touchTimer = setTimeout(() => void this.flushTouches(), TOUCH_FLUSH_MS);
      this.touchTimer.unref();
    }
  }

  /**
   * Writes the waiting last-seen times. Each group of sessions is given the latest time among them, at most
   * TOUCH_FLUSH_MS after its own: an idle limit of hours is not moved by a second. When the database refuses
   * writes for a while (locked by another process, disk full), the times are dropped and the requests were answered
   * anyway; a request a minute later touches its session again.
   */
  async flushTouches(): Promise<void> {
    if (this.touchTimer) {
      clearTimeout(this.touchTimer);
      this.touchTimer = null;
    }
    const waiting = [...this.seen];
    this.seen.clear();
    for (let i = 0; i < waiting.length; i += TOUCHES_PER_STATEMENT) {
      const group = waiting.slice(i, i + TOUCHES_PER_STATEMENT);
      const at = new Date(Math.max(...group.map(([, seen]) => seen))).toISOString();
      try {
        await this.tx.runStatement((m) =>
          namedWrite(m, 'UPDATE auth_sessions SET last_seen_at = :at WHERE id IN (:...ids)', {
            at,
            ids: group.map(([id]) => id),
          }),
        );
      } catch (error) {
        if (!isStorageFailure(error)) {
          this.logger.error(`last-seen times not written: ${String(error)}`);
        }
      }
    }
  }

  /** Writes what is waiting before the database closes. */
  beforeApplicationShutdown(): Promise<void> {
    return this.flushTouches();
  }

  private forget(match: (entry: CachedSession) => boolean): void {
    // Callers from now on read afresh rather than join a lookup that may predate the change.
    this.loads.forgetAll();
    for (const [key, entry] of this.cache) {
      if (match(entry)) {
        this.cache.delete(key);
      }
    }
  }

  /**
   * A session with its person and their role grants, in one query (the three separate reads were half the
   * database work of a first request, and in a check-in storm every request is someone's first).
   */
  private async sessionWithPerson(
    tokenHash: string,
    kind: 'cookie' | 'token',
  ): Promise<SessionWithPerson | null> {
    // On a lookup connection: a storm of first requests reads beside the writes instead of queueing among them.
    const rows = await this.readers.lookup(
      `SELECT s.id AS id, s.user_id AS user_id, s.last_seen_at AS last_seen_at, s.expires_at AS expires_at,
         s.revoked_at AS revoked_at, u.username AS username, u.display_name AS display_name, u.org_id AS org_id,
         u.active AS active, u.must_change_password AS must_change_password, g.role AS role,
         g.org_id AS grant_org_id
       FROM auth_sessions s
       INNER JOIN users u ON u.id = s.user_id
       LEFT JOIN role_assignments g ON g.user_id = s.user_id
       WHERE s.token_hash = :tokenHash AND s.kind = :kind`,
      { tokenHash, kind },
    );
    const first = rows[0];
    if (!first) {
      return null;
    }
    const flag = (v: unknown): boolean => v === true || v === 1 || v === '1';
    const instant = (v: unknown): Date | null => (typeof v === 'string' ? new Date(v) : null);
    return {
      id: String(first.id),
      lastSeenAt: instant(first.last_seen_at) ?? new Date(0),
      expiresAt: instant(first.expires_at) ?? new Date(0),
      revokedAt: instant(first.revoked_at),
      user: {
        id: String(first.user_id),
        username: String(first.username),
        displayName: String(first.display_name),
        orgId: String(first.org_id),
        active: flag(first.active),
        mustChangePassword: flag(first.must_change_password),
      },
      grants: rows
        .filter((r) => typeof r.role === 'string')
        .map((r) => ({ role: r.role as Role, orgId: String(r.grant_org_id) })),
    };
  }

  /** Roles and scope are read afresh on every request, so a change takes effect on the person's next request. */
  async actorFor(
    userId: string,
    sessionId: string,
    via: 'cookie' | 'token',
  ): Promise<Actor | null> {
    const user = await this.users.findById(userId);
    if (!user?.active) {
      return null;
    }
    return this.assemble(user, await this.users.grantsOf(user.id), sessionId, via);
  }

  private async assemble(
    user: ActorPerson,
    assignments: Array<{ role: Role; orgId: string }>,
    sessionId: string,
    via: 'cookie' | 'token',
  ): Promise<Actor> {
    const org = await this.tree.find(user.orgId);
    const grants: RoleGrant[] = [];
    for (const a of assignments) {
      const node = await this.tree.find(a.orgId);
      if (node) {
        grants.push({ role: a.role, orgId: a.orgId, orgPath: node.path });
      }
    }
    return {
      userId: user.id,
      username: user.username,
      displayName: user.displayName,
      orgId: user.orgId,
      orgPath: org?.path ?? '/',
      grants,
      sessionId,
      via,
      mustChangePassword: user.mustChangePassword,
    };
  }

  async revoke(sessionId: string): Promise<void> {
    this.forget((e) => e.sessionId === sessionId);
    await this.tx.run((m) =>
      m
        .getRepository(AuthSessionEntity)
        .update({ id: sessionId, revokedAt: IsNull() }, { revokedAt: new Date() }),
    );
  }

  @OnEvent(USER_DEACTIVATED, { promisify: true })
  async revokeAllOf(payload: { userId: string }): Promise<void> {
    this.forget((e) => e.userId === payload.userId);
    await this.tx.run((m) =>
      m
        .getRepository(AuthSessionEntity)
        .update({ userId: payload.userId, revokedAt: IsNull() }, { revokedAt: new Date() }),
    );
  }

  /**
   * After a password change or reset: every session and token of the person ends except `keepSessionId` (the one
   * that changed it), also in the process cache, before and after the commit so no request re-caches one meanwhile.
   */
  async revokeOthersOf(userId: string, keepSessionId: string | null): Promise<void> {
    const match = (e: CachedSession): boolean =>
      e.userId === userId && e.sessionId !== keepSessionId;
    this.forget(match);
    await this.tx.run((m) =>
      m
        .getRepository(AuthSessionEntity)
        .update(
          keepSessionId
            ? { userId, revokedAt: IsNull(), id: Not(keepSessionId) }
            : { userId, revokedAt: IsNull() },
          { revokedAt: new Date() },
        ),
    );
    this.forget(match);
  }
}
