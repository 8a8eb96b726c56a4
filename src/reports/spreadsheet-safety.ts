/**
 * Formula-injection defence for CSV and XLSX exports (OWASP "CSV Injection"): a text cell that a spreadsheet
 * would read as a formula (starting with =, +, -, @, tab or carriage return) gets a leading single quote, so it
 * opens as text. Numbers stay numbers; only strings are touched.
 */
export type Cell = string | number | boolean | null | undefined;

const DANGEROUS_START = /^[=+\-@\t\r]/;

export function neutralise(value: string): string {
  return DANGEROUS_START.test(value) ? `'${value}` : value;
}

export function safeCell(value: Cell): string | number | boolean | null {
  if (value === null || value === undefined) {
    return null;
  }
  if (typeof value === 'number') {
    return Number.isFinite(value) ? value : null;
  }
  if (typeof value === 'boolean') {
    return value;
  }
  return neutralise(value);
}

/** One CSV field: neutralised, then quoted when it holds a comma, quote or line break (RFC 4180). */
export function csvField(value: Cell): string {
  const safe = safeCell(value);
  if (safe === null) {
    return '';
  }
  const text = typeof safe === 'string' ? safe : String(safe);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const UTF8_BOM = '\uFEFF';

/** A whole CSV document: UTF-8 BOM (so Excel on Chinese Windows picks UTF-8), CRLF line ends. */
export function toCsv(header: string[], rows: Cell[][]): string {
  return UTF8_BOM + [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** A download name of letters, digits, dot, dash and underscore only (no path, no header injection). */
export function safeFileName(base: string, ext: 'csv' | 'xlsx'): string {
  const clean = base
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 80);
  return `${clean || 'report'}.${ext}`;
}
