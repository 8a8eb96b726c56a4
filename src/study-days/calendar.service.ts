import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DateTime } from 'luxon';
import { createHash, randomBytes } from 'node:crypto';
import { IsNull, Repository } from 'typeorm';
import { Actor } from '../common/access/actor';
import { Lang, translate } from '../common/i18n/i18n';
import { AttendanceClock } from '../attendance/attendance-clock';
import { TransactionService } from '../database/transaction.service';
import { OrgNodeEntity } from '../organizations/org-node.entity';
import { OrgTreeService } from '../organizations/org-tree.service';
import { UsersService } from '../organizations/users.service';
import { CalendarTokenEntity } from './calendar-token.entity';
import { buildCalendar, CalendarEvent } from './icalendar';
import { StudyDayEntity } from './study-day.entity';
import { StudyDaysException } from './study-days.exception';
import { StudyDaysService } from './study-days.service';
import { newId } from '../common/ids';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export interface FeedLink {
  id: string;
  url: string;
  createdAt: string;
}

/**
 * iCalendar feeds of a branch and of a person. Calendar apps cannot sign in, so a feed is reached by a secret link;
 * making a new link revokes the previous one, and a link can be revoked outright.
 */
@Injectable()
export class CalendarService {
  constructor(
    @InjectRepository(CalendarTokenEntity) private readonly tokens: Repository<CalendarTokenEntity>,
    private readonly studyDays: StudyDaysService,
    private readonly tree: OrgTreeService,
    private readonly users: UsersService,
    private readonly tx: TransactionService,
    private readonly clock: AttendanceClock,
  ) {}

  async branchLink(actor: Actor, branchId: string, origin: string): Promise<FeedLink> {
    const { branch } = await this.studyDays.branchFor(actor, branchId, true);
    return this.issue(
      actor,
      'branch',
      branch.id,
      null,
      `${origin}/api/v1/branches/${branch.id}/calendar.ics`,
    );
  }

  async personLink(actor: Actor, origin: string): Promise<FeedLink> {
    return this.issue(actor, 'person', null, actor.userId, `${origin}/api/v1/me/calendar.ics`);
  }

  async revokeBranch(actor: Actor, branchId: string): Promise<{ revoked: number }> {
    const { branch } = await this.studyDays.branchFor(actor, branchId, true);
    return this.revoke('branch', { orgId: branch.id });
  }

  async revokePerson(actor: Actor): Promise<{ revoked: number }> {
    return this.revoke('person', { userId: actor.userId });
  }

  private async issue(
    actor: Actor,
    kind: 'branch' | 'person',
    orgId: string | null,
    userId: string | null,
    base: string,
  ): Promise<FeedLink> {
    const secret = randomBytes(24).toString('base64url');
    const now = this.clock.now();
    const row = {
      id: newId(),
      kind,
      orgId,
      userId,
      tokenHash: sha256(secret),
      createdBy: actor.userId,
      createdAt: now,
      revokedAt: null,
    };
    await this.tx.run(async (m) => {
      const repo = m.getRepository(CalendarTokenEntity);
      await repo.update(
        { kind, ...(orgId ? { orgId } : { userId: userId as string }), revokedAt: IsNull() },
        { revokedAt: now },
      );
      await repo.insert(row);
    });
    return { id: row.id, url: `${base}?token=${secret}`, createdAt: now.toISOString() };
  }

  private async revoke(
    kind: string,
    owner: { orgId: string } | { userId: string },
  ): Promise<{ revoked: number }> {
    const result = await this.tx.run((m) =>
      m
        .getRepository(CalendarTokenEntity)
        .update({ kind, ...owner, revokedAt: IsNull() }, { revokedAt: this.clock.now() }),
    );
    return { revoked: result.affected ?? 0 };
  }

  /** The branch feed: by its secret link, or for a signed-in member or manager. */
  async branchFeed(
    branchId: string,
    token: string | undefined,
    actor: Actor | undefined,
    lang: Lang,
    origin: string,
  ): Promise<string> {
    let branch: OrgNodeEntity;
    if (token) {
      const row = await this.tokenRow(token, 'branch');
      if (row.orgId !== branchId) {
        throw new StudyDaysException('CALENDAR_TOKEN_INVALID');
      }
      branch = await this.tree.get(branchId);
    } else if (actor) {
      branch = (await this.studyDays.branchFor(actor, branchId, false)).branch;
    } else {
      throw new StudyDaysException('CALENDAR_TOKEN_INVALID');
    }
    return this.render(
      [branch],
      lang,
      origin,
      translate(lang, 'studyDays.feed.branchName', { name: branch.name }),
    );
  }

  /** A person's feed: every meeting of the branches they belong to. */
  async personFeed(
    token: string | undefined,
    actor: Actor | undefined,
    lang: Lang,
    origin: string,
  ): Promise<string> {
    let orgPath: string;
    let name: string;
    if (token) {
      const row = await this.tokenRow(token, 'person');
      const user = await this.users.findById(row.userId as string);
      const org = user?.active ? await this.tree.find(user.orgId) : null;
      if (!user || !org) {
        throw new StudyDaysException('CALENDAR_TOKEN_INVALID');
      }
      orgPath = org.path;
      name = user.displayName;
    } else if (actor) {
      orgPath = actor.orgPath;
      name = actor.displayName;
    } else {
      throw new StudyDaysException('CALENDAR_TOKEN_INVALID');
    }
    const nodes = await Promise.all(
      orgPath
        .split('/')
        .filter(Boolean)
        .map((id) => this.tree.find(id)),
    );
    const branches = nodes.filter((n): n is OrgNodeEntity => n !== null && n.kind === 'branch');
    return this.render(
      branches,
      lang,
      origin,
      translate(lang, 'studyDays.feed.personName', { name }),
    );
  }

  private async tokenRow(token: string, kind: string): Promise<CalendarTokenEntity> {
    const row =
      token.length >= 20 && token.length <= 100
        ? await this.tokens.findOneBy({ tokenHash: sha256(token), kind })
        : null;
    if (!row || row.revokedAt) {
      throw new StudyDaysException('CALENDAR_TOKEN_INVALID');
    }
    return row;
  }

  private async render(
    branches: OrgNodeEntity[],
    lang: Lang,
    origin: string,
    name: string,
  ): Promise<string> {
    const zone = branches[0]?.zone ?? 'Asia/Shanghai';
    const now = DateTime.fromJSDate(this.clock.now(), { zone });
    const days = await this.studyDays.between(
      branches.map((b) => b.id),
      now.minus({ years: 1 }).toISODate() as string,
      now.plus({ years: 2 }).toISODate() as string,
    );
    const events: CalendarEvent[] = days.map((d) =>
      toEvent(
        d,
        lang,
        origin,
        branches.length > 1 ? branches.find((b) => b.id === d.orgId)?.name : undefined,
      ),
    );
    return buildCalendar({ name, zone, events });
  }
}

function toEvent(
  d: StudyDayEntity,
  lang: Lang,
  origin: string,
  branchName?: string,
): CalendarEvent {
  const types = d.meetingTypes.map((t) => translate(lang, `meetingTypes.${t}`)).join(' · ');
  const lines = [
    d.agenda.trim(),
    d.changeReason ? `${translate(lang, 'studyDays.changeReason')}: ${d.changeReason}` : '',
  ].filter(Boolean);
  return {
    uid: `${d.id}@cadre-academy`,
    sequence: d.sequence,
    startsAt: d.startsAt,
    endsAt: d.endsAt,
    summary: `${types}：${d.topic}${branchName ? `（${branchName}）` : ''}`,
    description: lines.join('\n\n') || undefined,
    location: d.place,
    url: /^https?:\/\//.test(origin) ? `${origin}/study-days/${d.id}` : undefined,
    cancelled: d.status === 'cancelled',
    updatedAt: d.updatedAt,
  };
}
