import { Injectable } from '@nestjs/common';
import { Actor } from '../common/access/actor';
import { Lang, translate } from '../common/i18n/i18n';
import { PolicyService } from '../policy/policy.service';
import { CertificatesService } from './certificates.service';
import { CertificationRulesPolicy, Requirement } from './certification.policy';
import { QualificationService, QualificationView } from './qualification.service';
import { RequirementProgress } from './rule-evaluation';

interface PolicyEntryView {
  label: string;
  values: string;
  source: string;
  effectiveFrom: string;
}

/** Turns a measured requirement into one line of text in the page's language. */
export function describeProgress(lang: Lang, r: RequirementProgress): string {
  const kind = (k: unknown) => (typeof k === 'string' ? translate(lang, `cert.kind.${k}`) : '');
  const base = { done: r.done, required: r.required, ...r.params };
  switch (r.kind) {
    case 'hours':
      return r.params.trainingKind
        ? translate(lang, 'cert.req.hours', { ...base, kind: kind(r.params.trainingKind) })
        : translate(lang, 'cert.req.hoursAll', base);
    case 'coursesOfKind':
      return translate(lang, 'cert.req.coursesOfKind', {
        ...base,
        kind: kind(r.params.trainingKind),
      });
    case 'attendance':
      return translate(lang, 'cert.req.attendance', {
        ...base,
        rate: `${Math.round(r.required * 100)}%`,
        done: `${Math.round(r.done * 100)}%`,
      });
    case 'certificate':
      // The prerequisite is named by its certificate's title, not by the rule key of the policy file.
      return translate(lang, 'cert.req.certificate', {
        ...base,
        rule: lang === 'en' ? (r.params.ruleEn ?? r.params.rule) : r.params.rule,
      });
    default:
      return translate(lang, `cert.req.${r.kind}`, base);
  }
}

/** A rule's requirement as policy text (no person): the same sentence with nothing done yet. */
function describeRequirement(lang: Lang, req: Requirement): string {
  const [kind, value] = Object.entries(req)[0] as [string, unknown];
  const v = (value ?? {}) as Record<string, unknown>;
  const list = (x: unknown) => (Array.isArray(x) ? x.join(', ') : '');
  switch (kind) {
    case 'courses':
      return `${describeProgress(lang, { kind, done: 0, required: list(value).split(', ').length, met: false, params: {} })}: ${list(value)}`;
    case 'finalQuizzes':
      return `${describeProgress(lang, { kind, done: 0, required: (v.courses as string[]).length, met: false, params: { minScore: Number(v.minScore) } })}: ${list(v.courses)}`;
    case 'certificate':
      return describeProgress(lang, {
        kind,
        done: 0,
        required: 1,
        met: false,
        params: { rule: String(value) },
      });
    case 'continuingEducation':
      return describeProgress(lang, { kind, done: 0, required: 0, met: false, params: {} }).replace(
        / 0 \/ 0$/,
        ` (${String(value)})`,
      );
    default: {
      const required = Number(v.count ?? v.min ?? v.minRate ?? 0);
      const params: Record<string, string | number> = {};
      if (typeof v.trainingKind === 'string') {
        params.trainingKind = v.trainingKind;
      }
      params.minSessions = Number(v.minSessions ?? 0);
      return describeProgress(lang, { kind, done: 0, required, met: false, params });
    }
  }
}

@Injectable()
export class CertificationPagesService {
  constructor(
    private readonly certificates: CertificatesService,
    private readonly qualification: QualificationService,
    private readonly policy: PolicyService,
  ) {}

  async certificatesPage(actor: Actor) {
    const { items } = await this.certificates.mine(actor);
    return { items: items.map((c) => ({ ...c, isValid: c.status === 'valid' })) };
  }

  qualificationPage(view: QualificationView, lang: Lang) {
    const ce = view.continuingEducation;
    return {
      ...view,
      nextLevel: view.nextLevel && {
        ...view.nextLevel,
        rules: view.nextLevel.rules.map((r) => ({
          ...r,
          requirements: r.requirements.map((q) => ({ ...q, text: describeProgress(lang, q) })),
        })),
      },
      continuingEducation: ce && {
        ...ce,
        alertClass:
          ce.warning === 'met' || ce.warning === 'on_track'
            ? 'ok'
            : ce.warning === 'urgent'
              ? 'error'
              : 'warn',
        message: translate(lang, `cert.qual.warn.${ce.warning}`, {
          gap: ce.gap,
          months: ce.monthsLeft,
          expected: ce.expectedByNow,
          done: ce.done,
        }),
      },
    };
  }

  async behindPage(actor: Actor, lang: Lang) {
    const { items } = await this.qualification.behind(actor);
    return { items: items.map((v) => this.qualificationPage(v, lang)) };
  }

  /** Every policy document with the numbers it holds and their sources, and the certificate rules in full. */
  async policyPage(lang: Lang) {
    const docs = await this.policy.all();
    const documents = docs.map((d) => ({
      key: d.key,
      title: lang === 'en' ? (d.titleEn ?? d.title) : d.title,
      importedAt: d.importedAt,
      entries: sourcedEntries(d.body),
    }));
    const rulesDoc = docs.find((d) => d.key === 'certification-rules');
    const rules = rulesDoc
      ? (rulesDoc.body as unknown as CertificationRulesPolicy).rules.map((r) => ({
          key: r.key,
          title: lang === 'en' ? r.titleEn : r.title,
          trainingKind: r.trainingKind,
          level: r.level ?? null,
          period: r.period,
          hours: r.hours,
          requires: r.requires.map((q) => describeRequirement(lang, q)),
          source: r.source,
          effectiveFrom: r.effectiveFrom,
        }))
      : [];
    return { documents, rules };
  }
}

/** Objects carrying `source`, with their own scalar numbers, found anywhere in a policy body. */
function sourcedEntries(
  body: unknown,
  out: PolicyEntryView[] = [],
  inherited?: { source: string; effectiveFrom: string },
): PolicyEntryView[] {
  if (Array.isArray(body)) {
    body.forEach((item) => sourcedEntries(item, out, inherited));
    return out;
  }
  if (!body || typeof body !== 'object') {
    return out;
  }
  const o = body as Record<string, unknown>;
  const own =
    typeof o.source === 'string'
      ? {
          source: o.source,
          effectiveFrom: typeof o.effectiveFrom === 'string' ? o.effectiveFrom : '',
        }
      : inherited;
  const numbers = Object.entries(o).filter(([, v]) => typeof v === 'number');
  if (own && numbers.length > 0 && !Array.isArray(o.requires)) {
    const label = [o.level, o.postType, o.label, o.key].find(
      (x): x is string => typeof x === 'string',
    );
    out.push({
      label: label ?? '',
      values: numbers.map(([k, v]) => `${k}: ${String(v)}`).join(', '),
      source: own.source,
      effectiveFrom: own.effectiveFrom,
    });
  }
  for (const [k, v] of Object.entries(o)) {
    if (k !== 'rules' && v && typeof v === 'object') {
      sourcedEntries(v, out, own);
    }
  }
  return out;
}
