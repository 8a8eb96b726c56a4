// Fill-in (short-answer) responses are typed on Chinese keyboards, which switch between full-width and
// half-width forms; both must grade the same.

const FULL_WIDTH_ASCII = /[\uFF01-\uFF5E]/g;
const FULL_WIDTH_OFFSET = 0xfee0;
const IDEOGRAPHIC_SPACE = /\u3000/g;

/**
 * Trims, folds full-width ASCII (Ａ-Ｚ, ０-９, full-width punctuation) and the ideographic space to
 * half-width, collapses inner whitespace to one space, and lower-cases unless case-sensitive.
 */
export function normaliseFillIn(s: string, caseSensitive: boolean): string {
  const folded = s
    .normalize('NFC')
    .replace(FULL_WIDTH_ASCII, (c) => String.fromCharCode(c.charCodeAt(0) - FULL_WIDTH_OFFSET))
    .replace(IDEOGRAPHIC_SPACE, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return caseSensitive ? folded : folded.toLowerCase();
}

/**
 * Whether a response matches an accepted answer once both are normalised. As in Moodle's short answer,
 * `*` in the accepted answer matches any run of characters and `\*` is a literal star.
 */
export function matchesFillIn(response: string, accepted: string, caseSensitive: boolean): boolean {
  const given = normaliseFillIn(response, caseSensitive);
  const pattern = normaliseFillIn(accepted, caseSensitive);
  const pieces = pattern.split(/(?<!\\)\*+/).map((piece) => piece.replace(/\\\*/g, '*'));
  if (pieces.length === 1) {
    return given === pieces[0];
  }
  const regex = pieces.map((piece) => piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${regex}$`, 'su').test(given);
}
