import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { UsersService } from '../organizations/users.service';
import { PolicyService } from '../policy/policy.service';
import { ActivityType, BasisKind, LedgerEntryEntity } from './ledger-entry.entity';
import {
  CreditBasis,
  RequirementStatus,
  StudyHoursPolicy,
  creditHours,
  evaluateRequirements,
  localYear,
  ruleOf,
} from './study-hours';
import { newId } from '../common/ids';
import { SqliteReaders } from '../database/sqlite-readers';
import { namedQuery, namedWrite } from '../database/named-query';

export interface CreditEntry {
  userId: string;
  activityType: ActivityType;
  activityId: string;
  trainingKind: string;
  occurredAt: Date;
  title: string;
  courseSlug?: string | null;
  basis: CreditBasis;
}

export interface TranscriptEntry {
  date: Date;
  hours: number;
  trainingKind: string;
  source: { type: ActivityType; id: string; title: string; courseSlug: string | null };
}

export interface Transcript {
  year: number;
  requirements: RequirementStatus[];
  totals: { year: number; hours: number; byKind: Record<string, number> };
  entries: TranscriptEntry[];
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

function basisColumns(basis: CreditBasis): { basisKind: BasisKind; basisValue: number } {
  if ('minutes' in basis) {
    return { basisKind: 'minutes', basisValue: basis.minutes };
  }
  if ('quizPassed' in basis) {
    return { basisKind: 'quiz', basisValue: 1 };
  }
  return { basisKind: 'hours', basisValue: basis.hours };
}

/** The study-hour ledger: one row per person and activity, hours by the crediting rules of content/policy. */
@Injectable()
export class LedgerService {
  constructor(
    @InjectRepository(LedgerEntryEntity) private readonly entries: Repository<LedgerEntryEntity>,
    private readonly policy: PolicyService,
    private readonly users: UsersService,
    private readonly readers: SqliteReaders,
  ) {}

  async rules(): Promise<StudyHoursPolicy> {
    return this.policy.get<StudyHoursPolicy>('study-hours');
  }

  /**
   * Credits an activity once. The unique constraint (user, activity type, activity id) is the guarantee: the
   * insert ignores a duplicate on both databases, and the row that exists afterwards tells who won.
   */
  async credit(
    manager: EntityManager,
    entry: CreditEntry,
  ): Promise<{ credited: boolean; hours: number }> {
    const policy = await this.rules();
    const hours = creditHours(ruleOf(policy, policy.defaultRule), entry.basis);
    const key = {
      userId: entry.userId,
      activityType: entry.activityType,
      activityId: entry.activityId,
    };
    // The insert's own row count says whether this call credited the activity (the unique key refuses a second
    // credit on both databases, concurrent ones included): one statement in the usual case, a look only when
    // the activity was credited before. Written as SQL: building it was ~6% of a check-in's CPU (storm profile).
    const inserted = await namedWrite(
      manager,
      `INSERT INTO study_hour_ledger (id, user_id, activity_type, activity_id, hours, training_kind, occurred_at,
         year, title, course_slug, basis_kind, basis_value, recorded_at)
       VALUES (:id, :userId, :activityType, :activityId, :hours, :trainingKind, :occurredAt, :year, :title,
         :courseSlug, :basisKind, :basisValue, :recordedAt)
       ON CONFLICT DO NOTHING`,
      {
        id: newId(),
        ...key,
        hours,
        trainingKind: entry.trainingKind,
        occurredAt: entry.occurredAt.toISOString(),
        year: localYear(entry.occurredAt, policy.timeZone),
        title: entry.title.slice(0, 300),
        courseSlug: entry.courseSlug ?? null,
        ...basisColumns(entry.basis),
        recordedAt: new Date().toISOString(),
      },
    );
    if (inserted > 0) {
      return { credited: true, hours };
    }
    const row = await manager
      .getRepository(LedgerEntryEntity)
      .findOne({ select: { id: true, hours: true }, where: key });
    return { credited: false, hours: row?.hours ?? 0 };
  }

  async hoursBetween(
    userId: string,
    from: Date,
    to: Date,
  ): Promise<{ total: number; byKind: Record<string, number> }> {
    // Instants are ISO text, which sorts as time does; half-open interval [from, to). Two columns rather than
    // entities: certification asks after every check-in (~1.7 ms of a ~4.8 ms evaluation as entities).
    const rows = await namedQuery<Array<{ training_kind: string; hours: number | string }>>(
      this.entries.manager,
      `SELECT training_kind, hours FROM study_hour_ledger
       WHERE user_id = :userId AND occurred_at >= :from AND occurred_at < :to`,
      { userId, from: from.toISOString(), to: to.toISOString() },
    );
    const byKind: Record<string, number> = {};
    let total = 0;
    for (const row of rows) {
      // Numbers as both databases return them (PostgreSQL's double precision may come back as text).
      const hours = Number(row.hours);
      byKind[row.training_kind] = round2((byKind[row.training_kind] ?? 0) + hours);
      total += hours;
    }
    return { total: round2(total), byKind };
  }

  /**
   * A person's ledger, newest first, read from the covering index alone on a lookup connection. Through the entity
   * every row was one more table page: a person's ~55 rows of five years lie on ~55 pages of a 1.1-million-row
   * table, which a page cache holds on a small city and misses on a large one (1.23 ms -> 0.73 ms a read on the
   * benchmark city, and the full city no longer reads slower than a tenth of it).
   */
  private async entriesOf(userId: string): Promise<TranscriptRow[]> {
    // Text and numbers as both databases return them (PostgreSQL's double precision may come back as text).
    const rows = (await this.readers.lookup(TRANSCRIPT_ROWS_SQL, { userId })) as Array<{
      activity_type: ActivityType;
      activity_id: string;
      training_kind: string;
      occurred_at: string;
      year: number | string;
      hours: number | string;
      title: string;
      course_slug: string | null;
      basis_kind: BasisKind;
      basis_value: number | string;
    }>;
    return rows.map((r) => ({
      activityType: r.activity_type,
      activityId: r.activity_id,
      trainingKind: r.training_kind,
      occurredAt: new Date(r.occurred_at),
      year: Number(r.year),
      hours: Number(r.hours),
      title: r.title,
      courseSlug: r.course_slug,
      basisKind: r.basis_kind,
      basisValue: Number(r.basis_value),
    }));
  }

  /** Every requirement that applies to the person, hours done in its period and the gap, plus the entries. */
  async transcript(userId: string, now = new Date()): Promise<Transcript> {
    const policy = await this.rules();
    const user = await this.users.findById(userId);
    const grants = await this.users.grantsOf(userId);
    const rows = await this.entriesOf(userId);
    const requirements = user
      ? evaluateRequirements(
          policy,
          {
            active: user.active,
            partyMember: user.partyMember,
            branchCommittee: user.branchCommittee,
            isSecretary: grants.some((g) => g.role === 'secretary'),
            qualificationLevel: user.qualificationLevel,
            registrationStart: user.registrationStart,
          },
          rows,
          now,
        )
      : [];
    const year = localYear(now, policy.timeZone);
    const thisYear = rows.filter((r) => r.year === year);
    const byKind: Record<string, number> = {};
    for (const r of thisYear) {
      byKind[r.trainingKind] = round2((byKind[r.trainingKind] ?? 0) + r.hours);
    }
    return {
      year,
      requirements,
      totals: { year, hours: round2(thisYear.reduce((s, r) => s + r.hours, 0)), byKind },
      entries: rows.map((r) => ({
        date: r.occurredAt,
        hours: r.hours,
        trainingKind: r.trainingKind,
        source: {
          type: r.activityType,
          id: r.activityId,
          title: r.title,
          courseSlug: r.courseSlug,
        },
      })),
    };
  }
}

/** The transcript's columns of one ledger row: all that the covering index `idx_ledger_user_transcript` holds. */
type TranscriptRow = Pick<
  LedgerEntryEntity,
  | 'activityType'
  | 'activityId'
  | 'trainingKind'
  | 'occurredAt'
  | 'year'
  | 'hours'
  | 'title'
  | 'courseSlug'
  | 'basisKind'
  | 'basisValue'
>;

/** A person's ledger rows for the transcript (`:userId`), answered by `idx_ledger_user_transcript` alone. */
export const TRANSCRIPT_ROWS_SQL = `SELECT activity_type, activity_id, training_kind, occurred_at, year, hours, title,
  course_slug, basis_kind, basis_value
  FROM study_hour_ledger WHERE user_id = :userId ORDER BY occurred_at DESC`;
