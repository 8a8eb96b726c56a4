import { clip, esc, fmt, open } from './svg';

export interface BarChartInput {
  id: string;
  title: string;
  desc: string;
  bars: Array<{ label: string; value: number; display?: string }>;
  /** Scale end; defaults to the largest value (or the target when larger). */
  max?: number;
  /** A reference line, e.g. the yearly requirement, with its label. */
  target?: { value: number; label: string };
}

const LABEL = 150;
const AREA = 240;
const ROW = 28;
const TOP = 22;

/** Horizontal bars (they fit a phone's width and keep long Chinese names readable), value printed after each bar. */
export function barChart(input: BarChartInput): string {
  const max = Math.max(
    input.max ?? 0,
    input.target?.value ?? 0,
    ...input.bars.map((b) => b.value),
    1e-9,
  );
  const width = LABEL + AREA + 70;
  const height = TOP + Math.max(1, input.bars.length) * ROW + 6;
  const x = (v: number): number => LABEL + (Math.max(0, v) / max) * AREA;
  const parts = [open(input.id, width, height, input.title, input.desc)];
  parts.push(
    `<line x1="${LABEL}" y1="${TOP - 4}" x2="${LABEL}" y2="${height - 4}" stroke="#8c959f"/>`,
  );
  input.bars.forEach((b, i) => {
    const y = TOP + i * ROW;
    const w = Math.max(0, x(b.value) - LABEL);
    parts.push(
      `<g><title>${esc(`${b.label}: ${b.display ?? fmt(b.value)}`)}</title>` +
        `<text x="${LABEL - 6}" y="${y + ROW / 2 + 4}" font-size="12" text-anchor="end" fill="#1f2328">${esc(clip(b.label, 20))}</text>` +
        `<rect x="${LABEL}" y="${y + 5}" width="${fmt(w)}" height="${ROW - 10}" fill="#9b1c1c"/>` +
        `<text x="${fmt(LABEL + w + 4)}" y="${y + ROW / 2 + 4}" font-size="12" fill="#1f2328">${esc(b.display ?? fmt(b.value))}</text></g>`,
    );
  });
  if (input.target) {
    const tx = fmt(x(input.target.value));
    parts.push(
      `<line x1="${tx}" y1="${TOP - 6}" x2="${tx}" y2="${height - 4}" stroke="#0b5cad" stroke-width="2" stroke-dasharray="4 3"/>` +
        `<text x="${tx}" y="${TOP - 9}" font-size="11" text-anchor="middle" fill="#0b5cad">${esc(input.target.label)}</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}
