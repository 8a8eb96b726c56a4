import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { Actor, Role } from '../common/access/actor';
import { PostGradesPolicy } from '../organizations/post-grades.policy';
import { UserEntity } from '../organizations/user.entity';
import { UsersService } from '../organizations/users.service';
import { PolicyService } from '../policy/policy.service';
import { CertificationFacts } from './certification-facts';
import { LADDER, LadderLevel } from './certification.policy';
import { CertificationListener } from './certification.listener';
import { IssuingService } from './issuing.service';
import {
  evaluateRule,
  levelPolicyOf,
  periodOf,
  registrationPeriod,
  RequirementProgress,
} from './rule-evaluation';

const VIEWERS: readonly Role[] = ['secretary', 'admin'];
const ZONE = 'Asia/Shanghai';

export type ContinuingWarning = 'met' | 'on_track' | 'behind' | 'early' | 'urgent';

export interface QualificationView {
  userId: string;
  displayName: string;
  level: string;
  levelLabel: string | null;
  postType: string | null;
  postGrade: number | null;
  postBand: { label: string; minGrade: number; maxGrade: number } | null;
  nextLevel: null | {
    level: LadderLevel;
    label: string;
    /** Post grades a holder of the next level may move up (post-grades.yml levelGrades). */
    gradeBonus: number | null;
    rules: Array<{
      key: string;
      title: string;
      titleEn: string;
      met: boolean;
      held: boolean;
      percent: number;
      requirements: Array<RequirementProgress & { percent: number }>;
    }>;
  };
  continuingEducation: null | {
    periodStart: string;
    periodEnd: string;
    required: number;
    done: number;
    gap: number;
    percent: number;
    expectedByNow: number;
    monthsLeft: number;
    warning: ContinuingWarning;
    source: string;
  };
}

/** Level held, the next level's requirements, and continuing education in the current registration period. */
@Injectable()
export class QualificationService {
  constructor(
    private readonly users: UsersService,
    private readonly facts: CertificationFacts,
    private readonly issuing: IssuingService,
    private readonly policy: PolicyService,
    private readonly evaluations: CertificationListener,
  ) {}

  async mine(actor: Actor): Promise<QualificationView> {
    const user = await this.users.findById(actor.userId);
    return this.forUser(user as UserEntity);
  }

  async ofPerson(actor: Actor, id: string): Promise<QualificationView> {
    return this.forUser(await this.users.findInScope(actor, id, VIEWERS));
  }

  /** Registered social workers in the actor's scope whose continuing education is behind pace or near the deadline. */
  async behind(actor: Actor): Promise<{ items: QualificationView[] }> {
    const items: QualificationView[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 50; page++) {
      const list = await this.users.list(actor, { limit: '200', cursor });
      for (const person of list.items) {
        if (!person.active || person.qualificationLevel === 'none' || !person.registrationStart) {
          continue;
        }
        const user = await this.users.findById(person.id);
        const view = user ? await this.forUser(user) : null;
        const w = view?.continuingEducation?.warning;
        if (view && (w === 'behind' || w === 'early' || w === 'urgent')) {
          items.push(view);
        }
      }
      if (!list.nextCursor) {
        break;
      }
      cursor = list.nextCursor;
    }
    const order: Record<string, number> = { urgent: 0, early: 1, behind: 2 };
    items.sort(
      (a, b) =>
        (order[a.continuingEducation?.warning ?? ''] ?? 9) -
          (order[b.continuingEducation?.warning ?? ''] ?? 9) ||
        (b.continuingEducation?.gap ?? 0) - (a.continuingEducation?.gap ?? 0),
    );
    return { items };
  }

  async forUser(user: UserEntity, now = new Date()): Promise<QualificationView> {
    await this.evaluations.settle(user.id); // certificates just earned count towards the level
    const [levelsPolicy, { rules }, grades] = await Promise.all([
      this.issuing.levels(),
      this.issuing.rules(),
      this.policy.get<PostGradesPolicy>('post-grades'),
    ]);
    const { levels } = levelsPolicy;
    const person = await this.facts.person(user);
    const band = grades.bands.find((b) => b.postType === user.postType);
    const heldIndex = (LADDER as readonly string[]).indexOf(user.qualificationLevel);
    const next = LADDER[heldIndex + 1] ?? null;

    let nextLevel: QualificationView['nextLevel'] = null;
    if (next) {
      const prep = rules.filter((r) => r.level === next && r.levelRelation === 'prepares');
      const views = [];
      for (const rule of prep) {
        const years = levelPolicyOf(levels, user.qualificationLevel)?.registrationYears ?? 3;
        const period = periodOf(rule.period, now, ZONE, { start: user.registrationStart, years });
        if (!period) {
          continue;
        }
        const result = evaluateRule(
          rule,
          person,
          period,
          await this.facts.period(user.id, period),
          levels,
        );
        views.push({
          key: rule.key,
          title: rule.title,
          titleEn: rule.titleEn,
          met: result.met,
          held: person.certificates.some((c) => c.ruleKey === rule.key),
          percent: Math.round(result.progress * 100),
          requirements: result.requirements.map((r) => ({
            ...r,
            params: titledPrerequisite(r.params, rules),
            percent: Math.round(
              Math.min(1, r.required > 0 ? r.done / r.required : r.met ? 1 : 0) * 100,
            ),
          })),
        });
      }
      nextLevel = {
        level: next,
        label: levelPolicyOf(levels, next)?.label ?? next,
        gradeBonus: grades.levelGrades?.find((g) => g.level === next)?.minGradeBonus ?? null,
        rules: views,
      };
    }

    let continuingEducation: QualificationView['continuingEducation'] = null;
    const held = levelPolicyOf(levels, user.qualificationLevel);
    const period =
      held && user.registrationStart
        ? registrationPeriod(user.registrationStart, held.registrationYears, now, ZONE)
        : null;
    if (held && period) {
      const { hours } = await this.facts.period(user.id, period);
      const done = Math.round(hours.total * 100) / 100;
      const required = held.continuingHours;
      const elapsed = Math.min(
        1,
        Math.max(
          0,
          (now.getTime() - period.from.getTime()) / (period.to.getTime() - period.from.getTime()),
        ),
      );
      const expectedByNow = Math.round(required * elapsed * 100) / 100;
      const monthsLeft = Math.max(
        0,
        Math.floor(DateTime.fromJSDate(period.to).diff(DateTime.fromJSDate(now), 'months').months),
      );
      const { warnings, behind } = levelsPolicy;
      let warning: ContinuingWarning = 'on_track';
      if (done >= required) {
        warning = 'met';
      } else if (monthsLeft < warnings.urgent) {
        warning = 'urgent';
      } else if (monthsLeft < warnings.early) {
        warning = 'early';
      } else if (done < expectedByNow * behind.paceShare) {
        warning = 'behind';
      }
      continuingEducation = {
        periodStart: DateTime.fromJSDate(period.from, { zone: ZONE }).toISODate() ?? '',
        periodEnd:
          DateTime.fromJSDate(period.to, { zone: ZONE }).minus({ days: 1 }).toISODate() ?? '',
        required,
        done,
        gap: Math.max(0, Math.round((required - done) * 100) / 100),
        percent: Math.round(Math.min(1, done / required) * 100),
        expectedByNow,
        monthsLeft,
        warning,
        source: held.source,
      };
    }

    return {
      userId: user.id,
      displayName: user.displayName,
      level: user.qualificationLevel,
      levelLabel: held?.label ?? null,
      postType: user.postType,
      postGrade: user.postGrade,
      postBand: band
        ? { label: band.label, minGrade: band.minGrade, maxGrade: band.maxGrade }
        : null,
      nextLevel,
      continuingEducation,
    };
  }
}

/** A prerequisite certificate is shown by its title in both languages rather than by its rule key. */
function titledPrerequisite<P extends Record<string, unknown>>(
  params: P,
  rules: Array<{ key: string; title: string; titleEn?: string | null }>,
): P {
  const prerequisite =
    typeof params.rule === 'string' ? rules.find((x) => x.key === params.rule) : undefined;
  return prerequisite
    ? { ...params, rule: prerequisite.title, ruleEn: prerequisite.titleEn ?? prerequisite.title }
    : params;
}
