import {
  GIFT_BLANK_PATTERN,
  GIFT_CASE_SENSITIVE_TOKEN,
  GIFT_DEFAULT_FORMAT,
  GIFT_ESCAPED,
  GIFT_FORMAT_TAG,
} from './gift.syntax';
import { ParsedChoice, ParsedQuestion, TextFormat } from './question.types';

// Writes what Moodle's exporter writes (tab-indented answers, one question per paragraph), so the file
// imports into Moodle and parseGift(serializeGift(questions)) gives the same questions back.

export class GiftSerializeError extends Error {}

export function serializeGift(questions: ParsedQuestion[]): string {
  const out: string[] = [];
  let category: string | undefined;
  for (const question of questions) {
    // GIFT cannot leave a category, so an empty $CATEGORY marks questions that have none.
    if ((question.category ?? '') !== (category ?? '')) {
      out.push(`$CATEGORY:${question.category ? ` ${escape(question.category)}` : ''}`);
      category = question.category;
    }
    out.push(writeQuestion(question));
  }
  return out.length === 0 ? '' : `${out.join('\n\n')}\n`;
}

function writeQuestion(q: ParsedQuestion): string {
  const lines: string[] = [];
  const badTag = q.tags.find((tag) => /[<>`\n]/.test(tag));
  if (badTag !== undefined) {
    // Moodle's `[tag:...]` token cannot hold these characters.
    throw new GiftSerializeError(`${describe(q)}: the tag "${badTag}" cannot be written in GIFT`);
  }
  const tokens = [
    ...q.tags.map((tag) => `[tag:${tag.replace(/\]/g, '\\]')}]`),
    ...(q.difficulty ? [`[difficulty:${q.difficulty}]`] : []),
    ...(q.type === 'shortanswer' && q.caseSensitive ? [GIFT_CASE_SENSITIVE_TOKEN] : []),
  ];
  if (tokens.length > 0) {
    lines.push(`// ${tokens.join(' ')}`);
  }

  const format = q.textFormat;
  // An explicit tag also protects text that would read as a tag or as a `//` comment line.
  const tag =
    format !== GIFT_DEFAULT_FORMAT || GIFT_FORMAT_TAG.test(q.text) || q.text.startsWith('//')
      ? `[${format}]`
      : '';
  const title = q.title ? `::${escape(q.title)}::` : '';
  const block = `{${answerBlock(q)}}`;
  const [before, after] = placeBlank(escape(q.text));
  lines.push(`${title}${tag}${before}${block}${after}`);
  return lines.join('\n');
}

/** Puts the answer block where a missing-word blank stands, so the blank comes back on import. */
function placeBlank(text: string): [string, string] {
  const blanks = [...text.matchAll(GIFT_BLANK_PATTERN)];
  if (blanks.length === 1) {
    const at = blanks[0].index;
    const after = text.slice(at + blanks[0][0].length);
    // A blank at the very end would not come back (Moodle adds one only when text follows the block).
    if (after.trim() !== '') {
      return [text.slice(0, at), after];
    }
  }
  return [text, ''];
}

function answerBlock(q: ParsedQuestion): string {
  const lines = answerLines(q);
  if (q.generalFeedback) {
    lines.push(`####${guard(q.generalFeedback, q.textFormat)}`);
  }
  return q.type === 'truefalse'
    ? lines.join('')
    : `${q.type === 'numerical' ? '#' : ''}\n${lines.map((l) => `\t${l}\n`).join('')}`;
}

function answerLines(q: ParsedQuestion): string[] {
  const format = q.textFormat;
  const feedback = (text: string | undefined): string => (text ? `#${guard(text, format)}` : '');
  switch (q.type) {
    case 'single':
    case 'multiple':
      return choiceLines(q, requireItems(q, q.choices, 2));
    case 'shortanswer':
      return requireItems(q, q.choices, 1).map((choice) => {
        refuseArrow(q, `${choice.text}${choice.feedback ?? ''}`);
        const weight =
          choice.weight === 100 && !choice.text.startsWith('%') ? '' : `%${choice.weight}%`;
        return `=${weight}${guard(choice.text, format)}${feedback(choice.feedback)}`;
      });
    case 'truefalse': {
      const right = q.answer ? q.feedbackTrue : q.feedbackFalse;
      const wrong = q.answer ? q.feedbackFalse : q.feedbackTrue;
      // `{TRUE#shown if wrong#shown if right}`, as Moodle writes it.
      return [
        `${q.answer ? 'TRUE' : 'FALSE'}${feedback(wrong) || (right ? '#' : '')}${feedback(right)}`,
      ];
    }
    case 'numerical':
      return [
        ...requireItems(q, q.numeric, 1).map((answer) => {
          if (![answer.value, answer.tolerance].every(Number.isFinite)) {
            throw new GiftSerializeError(
              `${describe(q)}: a numerical answer must be a finite number`,
            );
          }
          const weight = answer.weight === 100 ? '' : `%${answer.weight}%`;
          return `=${weight}${answer.value}:${answer.tolerance}${feedback(answer.feedback)}`;
        }),
        ...(q.wrongFeedback ? [`~${feedback(q.wrongFeedback)}`] : []),
      ];
    case 'matching':
      return requireItems(q, q.pairs, 2).map((pair) => {
        refuseArrow(q, pair.left);
        return `=${guard(pair.left, format)} -> ${escape(pair.right)}`;
      });
  }
}

function choiceLines(q: ParsedQuestion, choices: ParsedChoice[]): string[] {
  if (q.type === 'single' && !choices.some((c) => c.weight === 100)) {
    // Without `=` Moodle would read it as a multiple-answer question.
    throw new GiftSerializeError(`${describe(q)}: a single-answer question needs a 100% choice`);
  }
  // `=` marks a single-answer question, and at least one `~` keeps it multiple choice.
  const useEquals = q.type === 'single' && choices.some((c) => c.weight !== 100);
  return choices.map((choice, index) => {
    let marker = `~%${choice.weight}%`;
    if (choice.weight === 100 && (useEquals || index === 0) && q.type === 'single') {
      marker = '=';
    } else if (choice.weight === 0 && !choice.text.startsWith('%')) {
      marker = '~';
    }
    const feedback = choice.feedback ? `#${guard(choice.feedback, q.textFormat)}` : '';
    return `${marker}${guard(choice.text, q.textFormat)}${feedback}`;
  });
}

function requireItems<T>(q: ParsedQuestion, items: T[] | undefined, min: number): T[] {
  if (!items || items.length < min) {
    throw new GiftSerializeError(
      `${describe(q)}: a ${q.type} question needs at least ${min} answers`,
    );
  }
  return items;
}

// Moodle reads any block holding both `=` and `->` as matching, and GIFT has no escape for `->`.
function refuseArrow(q: ParsedQuestion, text: string): void {
  if (text.includes('->')) {
    throw new GiftSerializeError(`${describe(q)}: GIFT cannot write "->" in this position`);
  }
}

/** Escapes a sub-text and, when it begins like a `[format]` tag, states the question's format first. */
function guard(text: string, format: TextFormat): string {
  return `${GIFT_FORMAT_TAG.test(text) ? `[${format}]` : ''}${escape(text)}`;
}

function escape(text: string): string {
  let out = text.replace(/\\/g, '\\\\');
  for (const char of GIFT_ESCAPED) {
    out = out.split(char).join(`\\${char}`);
  }
  return out.replace(/\r/g, '').replace(/\n/g, '\\n');
}

function describe(q: ParsedQuestion): string {
  return `question at line ${q.line} (${q.title ?? q.text.slice(0, 40)})`;
}
