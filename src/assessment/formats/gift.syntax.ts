import { TextFormat } from './question.types';

/**
 * Where a missing-word answer block stood, as Moodle writes it (five underscores). The serializer puts the
 * block back at this spot, so a missing-word question survives export.
 */
export const GIFT_BLANK = '_____';

/** A blank is exactly five underscores, so a longer rule of underscores in the text is not one. */
export const GIFT_BLANK_PATTERN = /(?<!_)_____(?!_)/g;

/** Moodle's default when a GIFT text has no `[format]` tag. */
export const GIFT_DEFAULT_FORMAT: TextFormat = 'moodle';

/** A leading `[format]` tag; any other bracketed word is ordinary text, as in Moodle. */
export const GIFT_FORMAT_TAG = /^\[(moodle|html|plain|markdown)\]/;

/** Characters GIFT escapes with a backslash (plus `\\` and `\n`). */
export const GIFT_ESCAPED = ['~', '=', '#', '{', '}', ':'] as const;

// Our own comment tokens, beside Moodle's `[tag:...]`: Moodle ignores them (they sit in `//` comments),
// and they let difficulty and case sensitivity survive a GIFT round trip.
export const GIFT_DIFFICULTY_TOKEN = /\[difficulty:(easy|medium|hard)\]/;
export const GIFT_CASE_SENSITIVE_TOKEN = '[casesensitive:true]';

// Escaped characters become private-use placeholders while the structure is read (Moodle uses `&&058;`
// and friends), so `\{` can never open an answer block.
export const PLACEHOLDERS: Record<string, string> = {
  '\\': '\uE000',
  ':': '\uE001',
  '#': '\uE002',
  '=': '\uE003',
  '{': '\uE004',
  '}': '\uE005',
  '~': '\uE006',
  n: '\uE007',
};
const RESTORED: Record<string, string> = Object.fromEntries(
  Object.entries(PLACEHOLDERS).map(([char, placeholder]) => [
    placeholder,
    char === 'n' ? '\n' : char,
  ]),
);
const PLACEHOLDER_PATTERN = /[\uE000-\uE007]/g;

/** Turns the placeholders back into the characters they stand for. */
export function unescapeGift(text: string): string {
  return text.replace(PLACEHOLDER_PATTERN, (placeholder) => RESTORED[placeholder]);
}

export function splitFormat(
  raw: string,
  fallback: TextFormat,
): { format: TextFormat; rest: string } {
  const match = GIFT_FORMAT_TAG.exec(raw);
  return match
    ? { format: match[1] as TextFormat, rest: raw.slice(match[0].length) }
    : { format: fallback, rest: raw };
}

/**
 * Answer and feedback texts may carry their own `[format]` tag; our model has one format per question,
 * so the tag is dropped and the text kept as written.
 */
export function cleanText(raw: string, format: TextFormat): string {
  return unescapeGift(splitFormat(raw.trim(), format).rest).trim();
}
