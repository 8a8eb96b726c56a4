/** Tiny helpers shared by the server-side charts: every text that reaches the SVG goes through `esc`. */

export function esc(value: string | number): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Ids end up in attributes and aria references: keep them to a safe alphabet. */
export function safeId(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '') || 'chart';
}

/** Cuts a label to roughly `max` display columns (a CJK character counts as two). */
export function clip(label: string, max: number): string {
  let width = 0;
  let out = '';
  for (const ch of label) {
    width += /[\u2E80-\uFFFF]/.test(ch) ? 2 : 1;
    if (width > max) {
      return `${out}…`;
    }
    out += ch;
  }
  return out;
}

export function fmt(n: number): string {
  return (Math.round(n * 100) / 100).toString();
}

/** The opening tag every chart shares: an image with a title and a description for screen readers. */
export function open(
  id: string,
  width: number,
  height: number,
  title: string,
  desc: string,
): string {
  const i = safeId(id);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 ${width} ${height}" ` +
    `width="${width}" height="${height}" aria-labelledby="${i}-title ${i}-desc" font-family="system-ui, sans-serif">` +
    `<title id="${i}-title">${esc(title)}</title><desc id="${i}-desc">${esc(desc)}</desc>`
  );
}
