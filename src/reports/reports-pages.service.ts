import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { Actor } from '../common/access/actor';
import { Lang, translate } from '../common/i18n/i18n';
import { barChart } from './charts/bar-chart';
import { HEAT_STYLE, heatMap } from './charts/heat-map';
import { trendLine } from './charts/trend-line';
import { ReportQuery } from './dto/report-query.dto';
import { LearningReportsService } from './learning-reports.service';
import { Rag } from './regularity-grid';
import { RegularityService } from './regularity.service';
import { ReportScopeService } from './report-scope.service';
import { yearOf } from './reports.service';

const pct = (v: number | null): string => (v === null ? '—' : `${Math.round(v * 100)}%`);
const RAGS: Rag[] = ['green', 'amber', 'red', 'none'];

/** Builds the report pages' view models: summary first, then the chart and the same data as a table. */
@Injectable()
export class ReportsPagesService {
  constructor(
    private readonly regularity: RegularityService,
    private readonly learning: LearningReportsService,
    private readonly scope: ReportScopeService,
  ) {}

  async index(actor: Actor, q: ReportQuery, lang: Lang) {
    const t = (k: string, p: Record<string, unknown> = {}): string => translate(lang, k, p);
    const r = await this.regularity.report(actor, q.org, yearOf(q));
    const root = r.rollup.find((n) => n.id === r.org.id);
    const monthLabel = (m: string): string =>
      lang === 'en' ? DateTime.fromISO(`${m}-01`).toFormat('LLL') : `${Number(m.slice(5))}月`;
    const cellText = (branch: string, m: (typeof r.branches)[number]['months'][number]): string =>
      t('reports.regularity.cell', {
        branch,
        month: m.month,
        status: t(`rag.${m.status}`),
        held: t(m.held ? 'reports.regularity.heldYes' : 'reports.regularity.heldNo'),
        attendance: pct(m.attendanceRate),
        evidence: pct(m.evidenceShare),
      });
    const svg = r.branches.length
      ? heatMap({
          id: 'regularity-map',
          title: t('reports.regularity.chartTitle', { org: r.org.name, year: r.year }),
          desc: t('reports.regularity.chartDesc', { branches: r.branches.length }),
          columns: r.branches[0]?.months.map((m) => String(Number(m.month.slice(5)))) ?? [],
          rows: r.branches.map((b) => ({
            label: b.name,
            cells: b.months.map((m) => ({ level: m.status, text: cellText(b.name, m) })),
          })),
        })
      : null;
    const summary = root?.summary ?? null;
    const trendMonths = (root?.months ?? []).map((m) => ({
      label: monthLabel(m.month),
      heldShare: m.due > 0 ? Math.round((m.held / m.due) * 1000) / 10 : null,
      attendance: m.attendanceRate === null ? null : Math.round(m.attendanceRate * 1000) / 10,
      held: t('reports.regularity.trendHeldValue', { held: m.held, due: m.due }),
    }));
    const percentPoints = (key: 'heldShare' | 'attendance') =>
      trendMonths.map((m) => ({
        label: m.label,
        value: m[key],
        display: m[key] === null ? '' : `${m[key]}%`,
      }));
    const typeLabel = new Map(r.types.map((x) => [x.type, lang === 'en' ? x.labelEn : x.label]));
    return {
      title: t('reports.regularity.title', { year: r.year }),
      ...(await this.filters(actor, r.org.id, r.year, q, 'regularity')),
      report: { year: r.year, org: r.org },
      summary: summary
        ? {
            branches: r.branches.length,
            held: t('reports.summary.heldValue', { held: summary.held, due: summary.due }),
            rag: t('reports.summary.rag', summary),
            attendance: pct(summary.attendanceRate),
            status: summary.status,
            statusLabel: t(`rag.${summary.status}`),
            symbol: HEAT_STYLE[summary.status].symbol,
          }
        : null,
      svg,
      trend: trendMonths.some((m) => m.heldShare !== null || m.attendance !== null)
        ? {
            heldSvg: trendLine({
              id: 'regularity-held-trend',
              title: t('reports.regularity.trendHeld'),
              desc: t('reports.regularity.trendHeldDesc', { org: r.org.name, year: r.year }),
              points: percentPoints('heldShare'),
              max: 100,
            }),
            attendanceSvg: trendLine({
              id: 'regularity-attendance-trend',
              title: t('reports.regularity.trendAttendance'),
              desc: t('reports.regularity.trendAttendanceDesc', { org: r.org.name, year: r.year }),
              points: percentPoints('attendance'),
              max: 100,
            }),
            months: trendMonths.map((m) => ({
              // Not `label`: that name is a Handlebars helper, which a bare {{label}} would call.
              monthLabel: m.label,
              held: m.held,
              heldShare: m.heldShare === null ? '–' : `${m.heldShare}%`,
              attendance: m.attendance === null ? '–' : `${m.attendance}%`,
            })),
          }
        : null,
      legend: RAGS.map((level) => ({
        level,
        symbol: HEAT_STYLE[level].symbol,
        label: t(`rag.${level}`),
      })),
      months: (r.branches[0]?.months ?? []).map((m) => monthLabel(m.month)),
      branches: r.branches.map((b) => ({
        name: b.name,
        trail: b.trail,
        cells: b.months.map((m) => ({
          status: m.status,
          symbol: HEAT_STYLE[m.status].symbol,
          label: t(`rag.${m.status}`),
          attendance: m.due ? pct(m.attendanceRate) : '',
          title: cellText(b.name, m),
          missing: m.due
            ? m.obligations
                .filter((o) => o.due && !o.met)
                .map((o) => typeLabel.get(o.type) ?? o.type)
            : [],
        })),
        held: t('reports.regularity.monthsHeld', {
          held: b.summary.held,
          due: b.summary.monthsDue,
        }),
        attendance: pct(b.summary.attendanceRate),
        status: b.summary.status,
        statusLabel: t(`rag.${b.summary.status}`),
        symbol: HEAT_STYLE[b.summary.status].symbol,
      })),
      rollup: r.rollup
        .filter((n) => n.branches > 0)
        .map((n) => ({
          name: n.name,
          kind: n.kind,
          depth: Math.min(4, n.depth),
          branches: n.branches,
          held: t('reports.summary.heldValue', { held: n.summary.held, due: n.summary.due }),
          heldShare: pct(n.summary.heldShare),
          attendance: pct(n.summary.attendanceRate),
          status: n.summary.status,
          statusLabel: t(`rag.${n.summary.status}`),
          symbol: HEAT_STYLE[n.summary.status].symbol,
        })),
      rules: t('reports.regularity.rules', r.rules),
      downloads: downloads(
        'regularity',
        { org: r.org.id, year: String(r.year) },
        t('reports.export.regularity'),
        lang,
      ),
    };
  }

  async learningPage(actor: Actor, q: ReportQuery, lang: Lang) {
    const t = (k: string, p: Record<string, unknown> = {}): string => translate(lang, k, p);
    const [completion, items, ce, courses] = await Promise.all([
      this.learning.completion(actor, q.org, q.course),
      this.learning.items(actor, q.org, q.course),
      this.learning.continuing(actor, q.org),
      this.learning.courseOptions(),
    ]);
    const title = (x: { title: string; titleEn: string | null }): string =>
      lang === 'en' && x.titleEn ? x.titleEn : x.title;
    const params = { org: completion.org.id, ...(q.course ? { course: q.course } : {}) };
    return {
      title: t('reports.completion.title'),
      ...(await this.filters(actor, completion.org.id, null, q, 'learning')),
      courses: courses.map((c) => ({
        slug: c.slug,
        title: title(c),
        selected: c.slug === q.course,
      })),
      completion: {
        svg: completion.courses.length
          ? barChart({
              id: 'completion-chart',
              title: t('reports.completion.chartTitle', { org: completion.org.name }),
              desc: t('reports.completion.chartDesc'),
              bars: completion.courses.map((c) => ({
                label: title(c),
                value: c.completionRate ?? 0,
                display: `${pct(c.completionRate)} (${c.completed}/${c.enrolled})`,
              })),
              max: 1,
            })
          : null,
        courses: completion.courses.map((c) => ({
          ...c,
          title: title(c),
          rate: pct(c.completionRate),
        })),
        byKind: completion.byKind.map((k) => ({ ...k, rate: pct(k.completionRate) })),
        nodes: completion.nodes.map((n) => ({ ...n, rate: pct(n.completionRate) })),
        people: completion.people.map((p) => ({
          ...p,
          enrolledAt: p.enrolledAt.slice(0, 10),
          completedAt: p.completedAt ? p.completedAt.slice(0, 10) : null,
        })),
        truncated: completion.truncated,
        downloads: downloads('completion', params, t('reports.export.completion'), lang),
      },
      items: {
        quizzes: items.quizzes.map((x) => ({
          ...x,
          title: title(x),
          passRate: pct(x.passRate),
          questions: x.questions.map((qq) => ({ ...qq, share: pct(qq.shareCorrect) })),
        })),
        downloads: downloads('items', params, t('reports.export.items'), lang),
      },
      ce: {
        title: t('reports.ce.title', { months: ce.windowMonths }),
        people: ce.people,
        source: ce.source,
        downloads: downloads(
          'continuing-education',
          { org: completion.org.id },
          t('reports.export.ce'),
          lang,
        ),
      },
    };
  }

  async hoursPage(actor: Actor, q: ReportQuery, lang: Lang) {
    const t = (k: string, p: Record<string, unknown> = {}): string => translate(lang, k, p);
    const r = await this.learning.hours(actor, q.org, yearOf(q));
    const party = r.requirements.find((x) => x.key === 'party-education');
    const monthLabel = (m: string): string =>
      lang === 'en' ? DateTime.fromISO(`${m}-01`).toFormat('LLL') : `${Number(m.slice(5))}月`;
    return {
      title: t('reports.hours.title', { year: r.year }),
      lead: t('reports.hours.lead', { asOf: r.asOf.slice(0, 10) }),
      ...(await this.filters(actor, r.org.id, r.year, q, 'hours')),
      totals: r.totals,
      requirements: r.requirements.map((x) => ({
        key: x.key,
        title: lang === 'en' ? x.titleEn : x.title,
        source: x.source,
      })),
      nodesSvg: r.nodes.length
        ? barChart({
            id: 'hours-chart',
            title: t('reports.hours.byNode'),
            desc: t('reports.hours.byNodeDesc'),
            bars: r.nodes.map((n) => ({ label: n.name, value: n.averageHours })),
            target: party
              ? { value: 32, label: t('reports.hours.requirementLine', { hours: 32 }) }
              : undefined,
          })
        : null,
      trendSvg: trendLine({
        id: 'hours-trend',
        title: t('reports.hours.trend'),
        desc: t('reports.hours.trendDesc', { org: r.org.name, year: r.year }),
        points: r.months.map((m) => ({ label: monthLabel(m.month), value: m.hours })),
      }),
      months: r.months.map((m) => ({ label: monthLabel(m.month), hours: m.hours })),
      nodes: r.nodes,
      people: r.people.map((p) => ({
        ...p,
        requirements: r.requirements.map(
          (x) => p.requirements.find((s) => s.key === x.key) ?? null,
        ),
        status: p.met ? 'ok' : p.behind ? 'bad' : 'warn',
        statusLabel: t(
          p.met
            ? 'reports.hours.statusMet'
            : p.behind
              ? 'reports.hours.statusBehind'
              : 'reports.hours.statusOnTrack',
        ),
      })),
      downloads: downloads(
        'hours',
        { org: r.org.id, year: String(r.year) },
        t('reports.export.hours'),
        lang,
      ),
    };
  }

  private async filters(
    actor: Actor,
    orgId: string,
    year: number | null,
    q: ReportQuery,
    current: 'regularity' | 'learning' | 'hours',
  ) {
    const thisYear = DateTime.now().setZone('Asia/Shanghai').year;
    const query = new URLSearchParams({
      org: orgId,
      ...(year ? { year: String(year) } : {}),
    }).toString();
    return {
      orgs: await this.scope.picker(actor, orgId),
      years:
        year === null
          ? []
          : Array.from({ length: 5 }, (_, i) => thisYear - i).map((y) => ({
              year: y,
              selected: y === year,
            })),
      tabs: [
        {
          href: `/reports?${query}`,
          key: 'reports.nav.regularity',
          current: current === 'regularity',
        },
        {
          href: `/reports/learning?org=${encodeURIComponent(orgId)}`,
          key: 'reports.nav.learning',
          current: current === 'learning',
        },
        { href: `/reports/hours?${query}`, key: 'reports.nav.hours', current: current === 'hours' },
      ],
      course: q.course ?? '',
    };
  }
}

function downloads(report: string, params: Record<string, string>, what: string, lang: Lang) {
  const base = `/api/v1/reports/${report}?${new URLSearchParams({ ...params, lang }).toString()}`;
  return {
    what,
    csv: `${base}&format=csv`,
    xlsx: `${base}&format=xlsx`,
  };
}
