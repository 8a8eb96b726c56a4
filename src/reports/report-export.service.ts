import { Injectable } from '@nestjs/common';
import { Actor } from '../common/access/actor';
import { AuditService } from '../audit/audit.service';
import { Cell, safeCell, safeFileName, toCsv } from './spreadsheet-safety';

export type ExportFormat = 'csv' | 'xlsx';

/** A report flattened for download: one sheet, a header row and rows of plain values. */
export interface ReportTable {
  /** ASCII base of the file name, e.g. `regularity-2026`. */
  name: string;
  sheet: string;
  header: string[];
  rows: Cell[][];
}

export interface ExportFile {
  fileName: string;
  contentType: string;
  body: Buffer;
}

/** Renders report tables as CSV or XLSX, neutralising formula-like text, and audit-logs every download. */
@Injectable()
export class ReportExportService {
  constructor(private readonly audit: AuditService) {}

  async render(
    actor: Actor,
    table: ReportTable,
    format: ExportFormat,
    context: { report: string; orgId: string; ip?: string },
  ): Promise<ExportFile> {
    const body =
      format === 'csv' ? Buffer.from(toCsv(table.header, table.rows), 'utf8') : await toXlsx(table);
    await this.audit.record({
      action: 'report.export',
      actor,
      targetType: 'report',
      targetId: context.report,
      orgId: context.orgId,
      ip: context.ip ?? null,
      details: { format, rows: table.rows.length, name: table.name },
    });
    return {
      fileName: safeFileName(table.name, format),
      contentType:
        format === 'csv'
          ? 'text/csv; charset=utf-8'
          : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      body,
    };
  }
}

export async function toXlsx(table: ReportTable): Promise<Buffer> {
  // Loaded on the first spreadsheet asked for: exceljs costs ~27 MB of memory (measured alone) in a process that
  // may never write one.
  const { default: ExcelJS } = await import('exceljs');
  const book = new ExcelJS.Workbook();
  book.creator = 'Cadre Academy';
  const sheet = book.addWorksheet(
    table.sheet.replace(/[\\/?*[\]:]/g, ' ').slice(0, 31) || 'Sheet1',
  );
  const header = sheet.addRow(table.header.map((h) => safeCell(h)));
  header.font = { bold: true };
  for (const row of table.rows) {
    // Strings go in as plain strings (never formulas): exceljs writes them as shared strings.
    sheet.addRow(row.map((c) => safeCell(c)));
  }
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  sheet.columns.forEach((col, i) => {
    const longest = Math.max(
      String(table.header[i] ?? '').length,
      ...table.rows.slice(0, 200).map((r) => String(r[i] ?? '').length),
    );
    col.width = Math.min(50, Math.max(8, longest * 1.6));
  });
  return Buffer.from(await book.xlsx.writeBuffer());
}
