import { clip, esc, open } from './svg';

export type HeatLevel = 'green' | 'amber' | 'red' | 'none';

export interface HeatMapInput {
  id: string;
  title: string;
  desc: string;
  columns: string[];
  rows: Array<{ label: string; cells: Array<{ level: HeatLevel; text: string }> }>;
}

/** Colour and a symbol in every cell, so colour is never the only carrier of meaning (and print in grey works). */
export const HEAT_STYLE: Record<HeatLevel, { fill: string; ink: string; symbol: string }> = {
  green: { fill: '#1a7f37', ink: '#ffffff', symbol: '✓' },
  amber: { fill: '#f2c94c', ink: '#3d2c00', symbol: '!' },
  red: { fill: '#b42318', ink: '#ffffff', symbol: '✗' },
  none: { fill: '#eaeef2', ink: '#57606a', symbol: '–' },
};

const LABEL = 150;
const CELL = 34;
const ROW = 30;
const HEAD = 26;

/** Rows x columns of coloured cells with a symbol each; each cell's tooltip is its full description. */
export function heatMap(input: HeatMapInput): string {
  const width = LABEL + input.columns.length * CELL + 4;
  const height = HEAD + input.rows.length * ROW + 4;
  const parts = [open(input.id, width, height, input.title, input.desc)];
  input.columns.forEach((c, i) => {
    parts.push(
      `<text x="${LABEL + i * CELL + CELL / 2}" y="${HEAD - 8}" font-size="12" text-anchor="middle" fill="#1f2328">${esc(c)}</text>`,
    );
  });
  input.rows.forEach((row, r) => {
    const y = HEAD + r * ROW;
    parts.push(
      `<text x="${LABEL - 6}" y="${y + ROW / 2 + 4}" font-size="12" text-anchor="end" fill="#1f2328">${esc(clip(row.label, 20))}<title>${esc(row.label)}</title></text>`,
    );
    row.cells.forEach((cell, c) => {
      const s = HEAT_STYLE[cell.level];
      const x = LABEL + c * CELL;
      parts.push(
        `<g><title>${esc(cell.text)}</title>` +
          `<rect x="${x + 1}" y="${y + 1}" width="${CELL - 2}" height="${ROW - 2}" rx="3" fill="${s.fill}" stroke="#ffffff"/>` +
          `<text x="${x + CELL / 2}" y="${y + ROW / 2 + 5}" font-size="14" font-weight="700" text-anchor="middle" fill="${s.ink}">${s.symbol}</text></g>`,
      );
    });
  });
  parts.push('</svg>');
  return parts.join('');
}
