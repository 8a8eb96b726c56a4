import { Lang, translate } from '../common/i18n/i18n';
import type {
  ContinuingReport,
  CompletionReport,
  HoursReport,
  ItemsReport,
} from './learning-reports.service';
import type { RegularityReport } from './regularity.service';
import type { ReportTable } from './report-export.service';
import type { Cell } from './spreadsheet-safety';

/** Pure flattening of each report into the rows its CSV / XLSX download holds, headers in the reader's language. */

const pct = (v: number | null): Cell => (v === null ? null : Math.round(v * 1000) / 1000);

export function regularityTable(r: RegularityReport, lang: Lang): ReportTable {
  const t = (k: string, p: Record<string, unknown> = {}): string => translate(lang, k, p);
  const header = [
    t('reports.col.path'),
    t('reports.regularity.branch'),
    t('reports.regularity.month'),
    t('reports.regularity.status'),
    t('reports.regularity.held'),
    ...r.types.map((x) => (lang === 'en' ? x.labelEn : x.label)),
    t('reports.regularity.attendance'),
    t('reports.regularity.commitment'),
    t('reports.regularity.evidence'),
  ];
  const rows: Cell[][] = [];
  for (const b of r.branches) {
    for (const m of b.months) {
      rows.push([
        b.trail ?? '',
        b.name,
        m.month,
        t(`rag.${m.status}`),
        m.due
          ? t(m.held ? 'reports.regularity.heldYes' : 'reports.regularity.heldNo')
          : t('reports.regularity.notDue'),
        ...m.obligations.map((o) =>
          o.due
            ? t(o.met ? 'reports.regularity.met' : 'reports.regularity.notMet')
            : t('reports.regularity.notDue'),
        ),
        pct(m.attendanceRate),
        pct(m.commitmentRate),
        pct(m.evidenceShare),
      ]);
    }
  }
  return { name: `regularity-${r.year}`, sheet: t('reports.export.regularity'), header, rows };
}

export function completionTable(r: CompletionReport, lang: Lang): ReportTable {
  const t = (k: string): string => translate(lang, k);
  return {
    name: r.course ? `completion-${r.course.slug}` : 'completion',
    sheet: t('reports.export.completion'),
    header: [
      t('reports.completion.person'),
      t('reports.completion.username'),
      t('reports.completion.org'),
      t('reports.completion.course'),
      t('reports.completion.kind'),
      t('reports.completion.enrolledAt'),
      t('reports.completion.completedAt'),
      t('reports.completion.hours'),
    ],
    rows: r.people.map((p) => [
      p.displayName,
      p.username,
      p.orgName,
      p.courseTitle || p.courseSlug,
      t(`trainingKinds.${p.trainingKind}`),
      p.enrolledAt.slice(0, 10),
      p.completedAt ? p.completedAt.slice(0, 10) : t('reports.completion.notCompleted'),
      p.hours,
    ]),
  };
}

export function hoursTable(r: HoursReport, lang: Lang): ReportTable {
  const t = (k: string, p: Record<string, unknown> = {}): string => translate(lang, k, p);
  const header = [
    t('reports.hours.person'),
    t('reports.completion.username'),
    t('reports.hours.org'),
    t('reports.hours.total'),
  ];
  for (const q of r.requirements) {
    const title = lang === 'en' ? q.titleEn : q.title;
    header.push(
      `${title} · ${t('reports.ce.required')}`,
      `${title} · ${t('reports.ce.done')}`,
      `${title} · ${t('reports.ce.gap')}`,
    );
  }
  header.push(t('reports.hours.status'));
  const rows = r.people.map((p) => {
    const row: Cell[] = [p.displayName, p.username, p.orgName, p.total];
    for (const q of r.requirements) {
      const s = p.requirements.find((x) => x.key === q.key);
      row.push(s?.required ?? null, s?.done ?? null, s?.gap ?? null);
    }
    row.push(
      t(
        p.met
          ? 'reports.hours.statusMet'
          : p.behind
            ? 'reports.hours.statusBehind'
            : 'reports.hours.statusOnTrack',
      ),
    );
    return row;
  });
  return { name: `hours-${r.year}`, sheet: t('reports.export.hours'), header, rows };
}

export function itemsTable(r: ItemsReport, lang: Lang): ReportTable {
  const t = (k: string): string => translate(lang, k);
  const rows: Cell[][] = [];
  for (const q of r.quizzes) {
    for (const item of q.questions) {
      rows.push([
        lang === 'en' ? (q.titleEn ?? q.title) : q.title,
        q.courseSlug,
        item.text,
        item.type,
        item.answered,
        pct(item.shareCorrect),
      ]);
    }
  }
  return {
    name: 'quiz-items',
    sheet: t('reports.export.items'),
    header: [
      t('reports.items.quiz'),
      t('reports.completion.course'),
      t('reports.items.question'),
      t('reports.items.type'),
      t('reports.items.answered'),
      t('reports.items.correct'),
    ],
    rows,
  };
}

export function continuingTable(r: ContinuingReport, lang: Lang): ReportTable {
  const t = (k: string): string => translate(lang, k);
  return {
    name: 'continuing-education',
    sheet: t('reports.export.ce'),
    header: [
      t('reports.ce.person'),
      t('reports.completion.username'),
      t('reports.completion.org'),
      t('reports.ce.level'),
      t('reports.ce.periodEnd'),
      t('reports.ce.required'),
      t('reports.ce.done'),
      t('reports.ce.gap'),
      t('reports.ce.monthsLeft'),
    ],
    rows: r.people.map((p) => [
      p.displayName,
      p.username,
      p.orgName,
      t(`levels.${p.level}`),
      p.periodEnd,
      p.required,
      p.done,
      p.gap,
      p.monthsLeft,
    ]),
  };
}
