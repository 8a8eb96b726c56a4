import { clip, esc, fmt, open } from './svg';

export interface TrendLineInput {
  id: string;
  title: string;
  desc: string;
  points: Array<{ label: string; value: number | null; display?: string }>;
  max?: number;
}

const W = 480;
const H = 210;
const LEFT = 40;
const RIGHT = 12;
const TOP = 20;
const BOTTOM = 34;

/** A line over months; a missing value (null) breaks the line instead of pretending zero. */
export function trendLine(input: TrendLineInput): string {
  const values = input.points.map((p) => p.value ?? 0);
  const max = Math.max(input.max ?? 0, ...values, 1e-9);
  const n = Math.max(1, input.points.length - 1);
  const px = (i: number): number => LEFT + (i / n) * (W - LEFT - RIGHT);
  const py = (v: number): number => TOP + (1 - v / max) * (H - TOP - BOTTOM);
  const parts = [open(input.id, W, H, input.title, input.desc)];
  for (const f of [0, 0.5, 1]) {
    const y = fmt(py(max * f));
    parts.push(
      `<line x1="${LEFT}" y1="${y}" x2="${W - RIGHT}" y2="${y}" stroke="#d0d7de"/>` +
        `<text x="${LEFT - 4}" y="${y}" font-size="10" text-anchor="end" fill="#57606a">${esc(fmt(max * f))}</text>`,
    );
  }
  let segment: string[] = [];
  const flush = (): void => {
    if (segment.length > 1) {
      parts.push(
        `<polyline points="${segment.join(' ')}" fill="none" stroke="#9b1c1c" stroke-width="2"/>`,
      );
    }
    segment = [];
  };
  input.points.forEach((p, i) => {
    if (p.value === null) {
      flush();
      return;
    }
    segment.push(`${fmt(px(i))},${fmt(py(p.value))}`);
  });
  flush();
  input.points.forEach((p, i) => {
    const x = fmt(px(i));
    parts.push(
      `<text x="${x}" y="${H - BOTTOM + 16}" font-size="10" text-anchor="middle" fill="#1f2328">${esc(clip(p.label, 6))}</text>`,
    );
    if (p.value !== null) {
      parts.push(
        `<g><title>${esc(`${p.label}: ${p.display ?? fmt(p.value)}`)}</title>` +
          `<circle cx="${x}" cy="${fmt(py(p.value))}" r="3.5" fill="#9b1c1c"/></g>`,
      );
    }
  });
  parts.push('</svg>');
  return parts.join('');
}
