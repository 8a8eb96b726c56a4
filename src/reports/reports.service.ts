import { Injectable } from '@nestjs/common';
import { Actor } from '../common/access/actor';
import { Lang } from '../common/i18n/i18n';
import { ReportQuery } from './dto/report-query.dto';
import { LearningReportsService } from './learning-reports.service';
import { RegularityService } from './regularity.service';
import { ExportFile, ReportExportService, ReportTable } from './report-export.service';
import {
  completionTable,
  continuingTable,
  hoursTable,
  itemsTable,
  regularityTable,
} from './report-tables';

export type ReportAnswer = { kind: 'json'; body: unknown } | { kind: 'file'; file: ExportFile };

/**
 * One entry per report for the API: the same scoped read model answers JSON or, with `format`, a download
 * whose rows are exactly the JSON's rows (so nothing outside the caller's subtree can reach a file either).
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly regularityReports: RegularityService,
    private readonly learning: LearningReportsService,
    private readonly exporter: ReportExportService,
  ) {}

  async regularity(actor: Actor, q: ReportQuery, lang: Lang, ip?: string): Promise<ReportAnswer> {
    const report = await this.regularityReports.report(actor, q.org, yearOf(q));
    return this.answer(
      actor,
      q,
      report,
      () => regularityTable(report, lang),
      'regularity',
      report.org.id,
      ip,
    );
  }

  async completion(actor: Actor, q: ReportQuery, lang: Lang, ip?: string): Promise<ReportAnswer> {
    const report = await this.learning.completion(actor, q.org, q.course, { all: isFile(q) });
    return this.answer(
      actor,
      q,
      report,
      () => completionTable(report, lang),
      'completion',
      report.org.id,
      ip,
    );
  }

  async hours(actor: Actor, q: ReportQuery, lang: Lang, ip?: string): Promise<ReportAnswer> {
    const report = await this.learning.hours(actor, q.org, yearOf(q));
    return this.answer(
      actor,
      q,
      report,
      () => hoursTable(report, lang),
      'hours',
      report.org.id,
      ip,
    );
  }

  async continuing(actor: Actor, q: ReportQuery, lang: Lang, ip?: string): Promise<ReportAnswer> {
    const report = await this.learning.continuing(actor, q.org);
    return this.answer(
      actor,
      q,
      report,
      () => continuingTable(report, lang),
      'continuing-education',
      report.org.id,
      ip,
    );
  }

  async items(actor: Actor, q: ReportQuery, lang: Lang, ip?: string): Promise<ReportAnswer> {
    const report = await this.learning.items(actor, q.org, q.course);
    return this.answer(
      actor,
      q,
      report,
      () => itemsTable(report, lang),
      'items',
      report.org.id,
      ip,
    );
  }

  private async answer(
    actor: Actor,
    q: ReportQuery,
    body: unknown,
    table: () => ReportTable,
    report: string,
    orgId: string,
    ip?: string,
  ): Promise<ReportAnswer> {
    if (q.format !== 'csv' && q.format !== 'xlsx') {
      return { kind: 'json', body };
    }
    return {
      kind: 'file',
      file: await this.exporter.render(actor, table(), q.format, { report, orgId, ip }),
    };
  }
}

export function yearOf(q: ReportQuery): number | undefined {
  return q.year ? Number(q.year) : undefined;
}

const isFile = (q: ReportQuery): boolean => q.format === 'csv' || q.format === 'xlsx';
