import { readFileSync } from 'node:fs';
import type * as Fontkit from 'fontkit';
import type PdfKit from 'pdfkit';
import { create as createQrCode } from 'qrcode';

// Renders an issued certificate as a one-page A4 PDF. Pure: no Nest, no database. The same model always
// gives the same bytes, so the verification page can re-render a certificate and compare its SHA-256.

export interface CertificatePdfModel {
  serial: string;
  holderName: string;
  title: string;
  titleEn?: string;
  levelLabel?: string;
  hours: number;
  trainingKindLabel: string;
  issuerName: string;
  issuedAt: Date;
  /** IANA time zone for the printed date, e.g. Asia/Shanghai. */
  zone: string;
  /** Absolute URL of the public verification page; encoded in the QR code. */
  verifyUrl: string;
  /** Not printed on issued PDFs. */
  revoked?: boolean;
}

// Noto Serif SC (思源宋体, SIL OFL 1.1) from the npm registry, so no system font is assumed. Resolved through
// the package, which works from src/ under jest and from dist/ at run time. pdfkit embeds only the glyphs used.
const FONT_PACKAGE = '@expo-google-fonts/noto-serif-sc';
const FONT_FILES = {
  regular: `${FONT_PACKAGE}/400Regular/NotoSerifSC_400Regular.ttf`,
  bold: `${FONT_PACKAGE}/700Bold/NotoSerifSC_700Bold.ttf`,
} as const;
type FontName = keyof typeof FONT_FILES;

/**
 * Each font is read and parsed once per process and the parsed font handed to every document: parsing the
 * 8 MB CJK font and laying out its glyphs afresh made each certificate cost ~45 ms of CPU, and certificates are
 * issued in bursts (a study day tips hundreds of members over their yearly hours at once). pdfkit accepts a
 * fontkit font object and still subsets it per document; fontkit's glyph and layout caches are what is shared.
 */
const fontCache = new Map<FontName, Fontkit.Font>();
function font(name: FontName): Fontkit.Font {
  let parsed = fontCache.get(name);
  if (!parsed) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fontkit = require('fontkit') as typeof Fontkit;
    parsed = fontkit.create(readFileSync(require.resolve(FONT_FILES[name]))) as Fontkit.Font;
    fontCache.set(name, parsed);
  }
  return parsed;
}

/** Absolute path of a font file the renderer embeds (for tooling and tests). */
export function certificateFontPath(name: FontName = 'regular'): string {
  return require.resolve(FONT_FILES[name]);
}

// A4 in points, and the palette: a dark seal red for rules and the title, near-black ink, grey for English.
const PAGE_W = 595.28;
const PAGE_H = 841.89;
const CX = PAGE_W / 2;
const RED = '#8B1A1A';
const INK = '#1F1F1F';
const MUTED = '#666666';
const RULE = '#D9C4BE';
const BODY_LEFT = 88;
const BODY_WIDTH = PAGE_W - 2 * BODY_LEFT;
const VERIFY_TOP = 640;

const PRODUCER = 'Cadre Academy certificate renderer (PDFKit)';

export async function renderCertificatePdf(model: CertificatePdfModel): Promise<Buffer> {
  validate(model);
  const date = formatDates(model.issuedAt, model.zone);
  const hours = formatHours(model.hours);

  // Determinism: pdfkit's only clock read is info.CreationDate (set here from issuedAt), its file /ID is an
  // MD5 of the info dictionary (so it follows the model, not the clock), and its subset tags derive from the
  // font's resource name (F1, F2...), not from randomness. pdfkit and fontkit load with the first certificate:
  // ~5 MB of heap, and their source text besides, that a server issuing none never holds.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const PDFDocument = require('pdfkit') as typeof PdfKit;
  const doc = new PDFDocument({
    size: 'A4',
    margin: 0,
    autoFirstPage: false,
    pdfVersion: '1.7',
    lang: 'zh-CN',
    displayTitle: true,
    info: {
      Title: `${model.title} ${model.serial}`,
      Author: model.issuerName,
      Subject: `${model.title}：${model.holderName}`,
      Keywords: `${model.serial} ${model.verifyUrl}`,
      Creator: 'Cadre Academy',
      Producer: PRODUCER,
      CreationDate: model.issuedAt,
      ModDate: model.issuedAt,
    },
  });
  const done = collect(doc);

  // pdfkit's typings only name paths and buffers; at run time it also takes a parsed font (anything with layout()).
  doc.registerFont('serif', font('regular') as unknown as Buffer);
  doc.registerFont('serif-bold', font('bold') as unknown as Buffer);
  doc.addPage({ size: 'A4', margin: 0 });

  drawFrame(doc);

  // Title block.
  let y = 128;
  const title = fitLines(doc, 'serif-bold', model.title, BODY_WIDTH, 34, 24, 2, 0.24);
  if (title.lines.length > 1) {
    y -= 16;
  }
  title.lines.forEach((line, i) => {
    const style: TextStyle = { font: 'serif-bold', size: title.size, color: RED };
    centred(doc, line, y + i * title.size * 1.35, { ...style, spacing: title.spacing });
  });
  y += (title.lines.length - 1) * title.size * 1.35;
  if (model.titleEn) {
    y += 26;
    const en = model.titleEn.toUpperCase();
    const enSize = fitSize(doc, 'serif', en, 10.5, BODY_WIDTH, 2.5);
    centred(doc, en, y, { font: 'serif', size: enSize, color: MUTED, spacing: 2.5 });
  }
  y += 24;
  drawOrnament(doc, y);

  // Body: 兹证明 / name 同志 / the statement, then an English line.
  y += 52;
  left(doc, '兹证明', BODY_LEFT, y, { font: 'serif', size: 15, color: INK, spacing: 2 });
  y += 50;
  drawHolder(doc, model.holderName, y);
  y += 48;
  const statement =
    `参加${model.issuerName}组织的${model.trainingKindLabel}，完成规定课程学习，` +
    `累计 ${hours} 学时，经考核合格，特发此证。`;
  y = justifiedParagraph(doc, statement, BODY_LEFT, y, BODY_WIDTH, 14.5, 27);
  y += 2;
  doc.font('serif').fontSize(9).fillColor(MUTED);
  const english =
    `This is to certify that the person named above has completed the prescribed course of ` +
    `study, totalling ${hours} study hours, and has passed the assessment.`;
  doc.text(english, BODY_LEFT, y, { width: BODY_WIDTH, align: 'left', lineGap: 2 });
  y = doc.y;

  // Particulars.
  const rows: [string, string, string][] = [['培训类别', 'Training', model.trainingKindLabel]];
  if (model.levelLabel) {
    rows.push(['等级方向', 'Level', model.levelLabel]);
  }
  rows.push(['学时', 'Study hours', `${hours} 学时`]);
  rows.push(['发证日期', 'Date of issue', `${date.zh}  ${date.en}`]);
  rows.push(['证书编号', 'Certificate No.', model.serial]);
  // Anchored so that typical certificates line up, pushed down (and rows tightened) by long text above.
  const tableTop = Math.max(452, y + 28);
  const rowHeight = Math.max(22, Math.min(30, (VERIFY_TOP - 36 - tableTop) / rows.length));
  drawParticulars(doc, rows, tableTop, rowHeight);

  // Verification (left) and issuer (right).
  drawVerification(doc, model.verifyUrl, VERIFY_TOP);
  drawIssuer(doc, model.issuerName, date.zh, VERIFY_TOP + 68);
  centred(
    doc,
    '本证书真伪可扫描二维码或访问上述网址核验  ·  Verify this certificate online via the QR code',
    774,
    {
      font: 'serif',
      size: 7.5,
      color: MUTED,
    },
  );

  doc.end();
  return done;
}

function validate(model: CertificatePdfModel): void {
  if (!(model.issuedAt instanceof Date) || Number.isNaN(model.issuedAt.getTime())) {
    throw new TypeError('issuedAt must be a valid Date');
  }
  if (!Number.isFinite(model.hours) || model.hours < 0) {
    throw new RangeError('hours must be a non-negative number');
  }
  if (!/^https?:\/\//i.test(model.verifyUrl)) {
    throw new TypeError('verifyUrl must be an absolute http(s) URL');
  }
  for (const key of ['serial', 'holderName', 'title', 'trainingKindLabel', 'issuerName'] as const) {
    if (!model[key].trim()) {
      throw new TypeError(`${key} must not be empty`);
    }
  }
}

function collect(doc: PDFKit.PDFDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

const MONTHS_EN = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** The calendar date of `at` in `zone`: 2026年11月22日 and 22 November 2026. */
export function formatDates(at: Date, zone: string): { zh: string; en: string } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
  }).formatToParts(at);
  const part = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  const [year, month, day] = [part('year'), part('month'), part('day')];
  return { zh: `${year}年${month}月${day}日`, en: `${day} ${MONTHS_EN[month - 1]} ${year}` };
}

/** Hours as printed: 32, 31.5, 0.25 (the crediting rules use quarter hours). */
export function formatHours(hours: number): string {
  return String(Math.round(hours * 100) / 100);
}

interface TextStyle {
  font: 'serif' | 'serif-bold';
  size: number;
  color: string;
  spacing?: number;
}

function applyStyle(doc: PDFKit.PDFDocument, style: TextStyle): void {
  doc.font(style.font).fontSize(style.size).fillColor(style.color);
}

function textWidth(doc: PDFKit.PDFDocument, text: string, spacing = 0): number {
  // pdfkit counts UTF-16 units for character spacing; count code points instead (one Tc per glyph).
  return doc.widthOfString(text) + spacing * (Array.from(text).length - 1);
}

/** Draws text with its baseline at y, left edge at x. */
function left(doc: PDFKit.PDFDocument, text: string, x: number, y: number, style: TextStyle): void {
  applyStyle(doc, style);
  doc.text(text, x, y, {
    lineBreak: false,
    baseline: 'alphabetic',
    characterSpacing: style.spacing ?? 0,
  });
}

function centred(doc: PDFKit.PDFDocument, text: string, y: number, style: TextStyle): void {
  applyStyle(doc, style);
  left(doc, text, CX - textWidth(doc, text, style.spacing) / 2, y, style);
}

function right(
  doc: PDFKit.PDFDocument,
  text: string,
  x: number,
  y: number,
  style: TextStyle,
): void {
  applyStyle(doc, style);
  left(doc, text, x - textWidth(doc, text, style.spacing), y, style);
}

/** The largest size up to `max` (in steps of half a point, at least 7) at which `text` fits `width`. */
function fitSize(
  doc: PDFKit.PDFDocument,
  font: TextStyle['font'],
  text: string,
  max: number,
  width: number,
  spacing = 0,
): number {
  doc.font(font);
  let size = max;
  while (size > 7) {
    doc.fontSize(size);
    if (textWidth(doc, text, spacing) <= width) {
      break;
    }
    size -= 0.5;
  }
  return size;
}

/**
 * Fits a heading into at most `maxLines` centred lines: one line if it stays at `threshold` size or
 * more, otherwise split into balanced lines (never starting a line with closing punctuation). Letter
 * spacing scales with the size.
 */
function fitLines(
  doc: PDFKit.PDFDocument,
  font: TextStyle['font'],
  text: string,
  width: number,
  max: number,
  threshold: number,
  maxLines: number,
  spacingRatio: number,
): { lines: string[]; size: number; spacing: number } {
  const chars = Array.from(text);
  let best = { lines: [text], size: 7, spacing: 0 };
  for (let count = 1; count <= Math.min(maxLines, chars.length); count++) {
    const lines: string[] = [];
    let start = 0;
    for (let i = 1; i <= count; i++) {
      let end = i === count ? chars.length : Math.round((chars.length * i) / count);
      while (end < chars.length && end > start + 1 && NO_LINE_START.has(chars[end])) {
        end--;
      }
      lines.push(chars.slice(start, end).join(''));
      start = end;
    }
    doc.font(font);
    let size = max;
    for (; size > 7; size -= 0.5) {
      doc.fontSize(size);
      if (lines.every((line) => textWidth(doc, line, size * spacingRatio) <= width)) {
        break;
      }
    }
    best = { lines, size, spacing: size * spacingRatio };
    if (size >= threshold) {
      break;
    }
  }
  return best;
}

function drawFrame(doc: PDFKit.PDFDocument): void {
  // Thin double border in seal red, with corner brackets inside it.
  doc.save();
  doc.lineWidth(2).strokeColor(RED);
  doc.rect(26, 26, PAGE_W - 52, PAGE_H - 52).stroke();
  doc.lineWidth(0.6);
  doc.rect(32, 32, PAGE_W - 64, PAGE_H - 64).stroke();
  const inset = 42;
  const arm = 26;
  doc.lineWidth(0.8);
  for (const [x, dx] of [
    [inset, 1],
    [PAGE_W - inset, -1],
  ]) {
    for (const [y, dy] of [
      [inset, 1],
      [PAGE_H - inset, -1],
    ]) {
      doc
        .moveTo(x + dx * arm, y)
        .lineTo(x, y)
        .lineTo(x, y + dy * arm)
        .stroke();
      doc
        .rect(x + dx * 4 - 1.5, y + dy * 4 - 1.5, 3, 3)
        .fillColor(RED)
        .fill();
    }
  }
  doc.restore();
}

function drawOrnament(doc: PDFKit.PDFDocument, y: number): void {
  doc.save();
  doc.lineWidth(0.6).strokeColor(RED);
  doc
    .moveTo(CX - 120, y)
    .lineTo(CX - 12, y)
    .stroke();
  doc
    .moveTo(CX + 12, y)
    .lineTo(CX + 120, y)
    .stroke();
  doc
    .moveTo(CX, y - 4.5)
    .lineTo(CX + 4.5, y)
    .lineTo(CX, y + 4.5)
    .lineTo(CX - 4.5, y)
    .closePath()
    .fillColor(RED)
    .fill();
  doc.restore();
}

function drawHolder(doc: PDFKit.PDFDocument, name: string, y: number): void {
  const suffix = '同志';
  const gap = 18;
  const nameStyle: TextStyle = { font: 'serif-bold', size: 0, color: INK, spacing: 6 };
  const suffixStyle: TextStyle = { font: 'serif', size: 15, color: INK, spacing: 2 };
  applyStyle(doc, suffixStyle);
  const suffixWidth = textWidth(doc, suffix, suffixStyle.spacing);
  nameStyle.size = fitSize(doc, 'serif-bold', name, 28, BODY_WIDTH - suffixWidth - gap - 40, 6);
  applyStyle(doc, nameStyle);
  const nameWidth = textWidth(doc, name, nameStyle.spacing);
  const x = CX - (nameWidth + gap + suffixWidth) / 2;
  left(doc, name, x, y, nameStyle);
  left(doc, suffix, x + nameWidth + gap, y, suffixStyle);
  doc.save();
  doc.lineWidth(0.7).strokeColor(INK);
  doc
    .moveTo(x - 12, y + 8)
    .lineTo(x + nameWidth + 12, y + 8)
    .stroke();
  doc.restore();
}

// Characters that Chinese typesetting keeps off the start of a line (禁则).
const NO_LINE_START = new Set(Array.from('，。、；：！？）》」』】〉”’…,.;:!?)%'));

/**
 * A Chinese paragraph, justified by character spacing: pdfkit justifies only at spaces, which Chinese
 * has none of. First line indented two characters. Returns the baseline below the last line.
 */
function justifiedParagraph(
  doc: PDFKit.PDFDocument,
  text: string,
  x: number,
  y: number,
  width: number,
  size: number,
  leading: number,
): number {
  const style: TextStyle = { font: 'serif', size, color: INK };
  applyStyle(doc, style);
  // Tokens: runs of Latin letters/digits stay together, everything else is one character.
  const tokens = text.match(/[A-Za-z0-9.%-]+|[\s\S]/gu) ?? [];
  const lines: string[][] = [[]];
  let lineWidth = 0;
  const indent = 2 * size;
  for (const token of tokens) {
    const line = lines[lines.length - 1];
    const available = width - (lines.length === 1 ? indent : 0);
    const w = doc.widthOfString(token);
    if (line.length > 0 && lineWidth + w > available) {
      const next: string[] = [];
      if (NO_LINE_START.has(token) && line.length > 1) {
        next.push(line.pop() as string);
      }
      while (line.length > 0 && line[line.length - 1] === ' ') {
        line.pop();
      }
      lines.push(next);
      lineWidth = doc.widthOfString(next.join(''));
    }
    const current = lines[lines.length - 1];
    if (current.length === 0 && token === ' ') {
      continue;
    }
    current.push(token);
    lineWidth += w;
  }
  lines.forEach((tokensOfLine, i) => {
    const lineText = tokensOfLine.join('');
    const lineX = x + (i === 0 ? indent : 0);
    const available = width - (i === 0 ? indent : 0);
    const glyphs = Array.from(lineText).length;
    const last = i === lines.length - 1;
    const spacing =
      last || glyphs < 2 ? 0 : (available - doc.widthOfString(lineText)) / (glyphs - 1);
    left(doc, lineText, lineX, y, { ...style, spacing });
    y += leading;
  });
  return y - leading + 20;
}

function drawParticulars(
  doc: PDFKit.PDFDocument,
  rows: [string, string, string][],
  top: number,
  rowHeight: number,
): void {
  const labelX = BODY_LEFT + 8;
  const valueX = BODY_LEFT + 168;
  const valueWidth = BODY_LEFT + BODY_WIDTH - valueX - 8;
  doc.save();
  doc.lineWidth(0.9).strokeColor(RED);
  doc
    .moveTo(BODY_LEFT, top)
    .lineTo(BODY_LEFT + BODY_WIDTH, top)
    .stroke();
  rows.forEach(([zh, en, value], i) => {
    const baseline = top + i * rowHeight + rowHeight / 2 + 5;
    left(doc, zh, labelX, baseline, { font: 'serif', size: 11, color: INK, spacing: 1 });
    applyStyle(doc, { font: 'serif', size: 11, color: INK });
    const zhWidth = textWidth(doc, zh, 1);
    left(doc, en, labelX + zhWidth + 8, baseline, { font: 'serif', size: 7.5, color: MUTED });
    const size = fitSize(doc, 'serif-bold', value, 12, valueWidth);
    left(doc, value, valueX, baseline, { font: 'serif-bold', size, color: INK });
    const ruleY = top + (i + 1) * rowHeight;
    const lastRow = i === rows.length - 1;
    doc
      .lineWidth(lastRow ? 0.9 : 0.4)
      .strokeColor(lastRow ? RED : RULE)
      .moveTo(BODY_LEFT, ruleY)
      .lineTo(BODY_LEFT + BODY_WIDTH, ruleY)
      .stroke();
  });
  doc.restore();
}

function drawVerification(doc: PDFKit.PDFDocument, url: string, top: number): void {
  // Drawn as vector squares from the QR matrix: crisp at any zoom, small, and deterministic.
  const qr = createQrCode(url, { errorCorrectionLevel: 'M' });
  const { size, data } = qr.modules;
  const box = 92;
  const module = box / size;
  const x0 = BODY_LEFT;
  doc.save();
  doc.fillColor('#000000');
  for (let row = 0; row < size; row++) {
    let col = 0;
    while (col < size) {
      if (!data[row * size + col]) {
        col++;
        continue;
      }
      const start = col;
      while (col < size && data[row * size + col]) {
        col++;
      }
      // A hair of overlap so viewers' anti-aliasing leaves no seams between modules.
      doc.rect(
        x0 + start * module,
        top + row * module,
        (col - start) * module + 0.05,
        module + 0.05,
      );
    }
  }
  doc.fill();
  doc.restore();
  doc.link(x0, top, box, box, url);

  const textX = x0 + box + 14;
  left(doc, '扫码验证', textX, top + 24, { font: 'serif-bold', size: 11, color: RED, spacing: 2 });
  left(doc, 'Scan to verify', textX, top + 38, { font: 'serif', size: 8, color: MUTED });
  applyStyle(doc, { font: 'serif', size: 6.5, color: MUTED });
  let y = top + 58;
  // The URL column stops where the issuer column (right half of the body) begins.
  const urlWidth = CX - 10 - textX;
  for (const line of breakAnywhere(doc, url, urlWidth).slice(0, 5)) {
    left(doc, line, textX, y, { font: 'serif', size: 6.5, color: MUTED });
    y += 9;
  }
  doc.link(textX, top + 50, urlWidth, y - top - 50, url);
}

/** Splits text (a URL) into lines no wider than `width`, at any character, preferring after / ? & =. */
function breakAnywhere(doc: PDFKit.PDFDocument, text: string, width: number): string[] {
  const lines: string[] = [];
  let rest = text;
  while (rest.length > 0) {
    let end = rest.length;
    while (end > 1 && doc.widthOfString(rest.slice(0, end)) > width) {
      end--;
    }
    if (end < rest.length) {
      const soft = Math.max(...['/', '?', '&', '='].map((c) => rest.lastIndexOf(c, end - 1)));
      if (soft > end / 2) {
        end = soft + 1;
      }
    }
    lines.push(rest.slice(0, end));
    rest = rest.slice(end);
  }
  return lines;
}

function drawIssuer(doc: PDFKit.PDFDocument, issuer: string, dateZh: string, y: number): void {
  const rightX = BODY_LEFT + BODY_WIDTH;
  const width = rightX - CX;
  const fitted = fitLines(doc, 'serif-bold', issuer, width, 13, 10.5, 2, 0.08);
  const leading = fitted.size * 1.45;
  // A second line grows upwards, keeping the date where a seal would be stamped over it.
  const first = y - (fitted.lines.length - 1) * leading;
  right(doc, '发证机构 Issued by', rightX, first - 28, { font: 'serif', size: 8, color: MUTED });
  fitted.lines.forEach((line, i) => {
    const style: TextStyle = { font: 'serif-bold', size: fitted.size, color: INK };
    right(doc, line, rightX, first + i * leading, { ...style, spacing: fitted.spacing });
  });
  right(doc, dateZh, rightX, y + 26, { font: 'serif', size: 12.5, color: INK, spacing: 1 });
}
