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
