import { createHash, randomBytes } from 'node:crypto';
import sanitizeHtml from 'sanitize-html';
import { renderInlineMarkdown, renderMarkdown } from '../curriculum/markdown-renderer';
import { ParsedQuestion, QuestionType, TextFormat } from './formats';

/**
 * What the server keeps about a question once imported: rendered, sanitised HTML (so a page never renders
 * markdown on the fly) and the grading key. Option, left and right ids are random, so neither their order
 * nor their value tells a learner which option the author wrote first (GIFT files put the right one first).
 * Never sent to a learner as is: views pick the fields a policy allows.
 */
export interface QuestionParts {
  stemHtml: string;
  generalFeedbackHtml?: string;
  /** single, multiple */
  options?: Array<{ id: string; html: string; weight: number; feedbackHtml?: string }>;
  /** truefalse */
  answer?: boolean;
  feedbackTrueHtml?: string;
  feedbackFalseHtml?: string;
  /** shortanswer: accepted answers as written (graded with matchesFillIn). */
  accepted?: Array<{ text: string; weight: number; feedbackHtml?: string }>;
  caseSensitive?: boolean;
  /** numerical */
  numeric?: Array<{ value: number; tolerance: number; weight: number; feedbackHtml?: string }>;
  wrongFeedbackHtml?: string;
  /** matching: each left item names its right item; right items are unique by text. */
  left?: Array<{ id: string; html: string; rightId: string }>;
  right?: Array<{ id: string; html: string }>;
}

const HTML_TAGS = [
  'b',
  'strong',
  'i',
  'em',
  'u',
  'br',
  'p',
  'code',
  'pre',
  'sub',
  'sup',
  'ul',
  'ol',
  'li',
];

const shortId = (): string => randomBytes(6).toString('base64url');

/** Block text (stem, feedback) in the format it was written in, as sanitised HTML. */
export function renderBlock(text: string, format: TextFormat): string {
  if (format === 'markdown') {
    return renderMarkdown(text);
  }
  if (format === 'plain') {
    return `<p>${sanitizeHtml(text, { allowedTags: [], allowedAttributes: {} }).replace(/\n/g, '<br>')}</p>`;
  }
  // Moodle's own format and [html] both allow HTML: keep only harmless formatting, no attributes.
  return `<p>${sanitizeHtml(text.replace(/\n/g, '<br>'), { allowedTags: HTML_TAGS, allowedAttributes: {} })}</p>`;
}

/** One line (an option, a matching item) in its format, as inline HTML. */
export function renderLine(text: string, format: TextFormat): string {
  if (format === 'markdown') {
    return renderInlineMarkdown(text);
  }
  if (format === 'plain') {
    return sanitizeHtml(text, { allowedTags: [], allowedAttributes: {} });
  }
  return sanitizeHtml(text, { allowedTags: HTML_TAGS, allowedAttributes: {} });
}

/** The question as authored, without where it stood in its file: what a fingerprint and an export need. */
export type QuestionSource = Omit<ParsedQuestion, 'line'>;

export function toSource(q: ParsedQuestion): QuestionSource {
  const { line: _line, ...rest } = q;
  return rest;
}

/** Stable over re-imports of an unchanged question, so content import keeps its id (and its statistics). */
export function fingerprint(source: QuestionSource): string {
  return createHash('sha256').update(JSON.stringify(source)).digest('hex');
}

export function buildParts(q: QuestionSource): QuestionParts {
  const f = q.textFormat;
  const fb = (text?: string): string | undefined => (text ? renderBlock(text, f) : undefined);
  const parts: QuestionParts = { stemHtml: renderBlock(q.text, f) };
  if (q.generalFeedback) {
    parts.generalFeedbackHtml = fb(q.generalFeedback);
  }
  const type: QuestionType = q.type;
  if (type === 'single' || type === 'multiple') {
    parts.options = (q.choices ?? []).map((c) => ({
      id: shortId(),
      html: renderLine(c.text, f),
      weight: c.weight,
      feedbackHtml: fb(c.feedback),
    }));
  } else if (type === 'truefalse') {
    parts.answer = q.answer === true;
    parts.feedbackTrueHtml = fb(q.feedbackTrue);
    parts.feedbackFalseHtml = fb(q.feedbackFalse);
  } else if (type === 'shortanswer') {
    parts.accepted = (q.choices ?? []).map((c) => ({
      text: c.text,
      weight: c.weight,
      feedbackHtml: fb(c.feedback),
    }));
    parts.caseSensitive = q.caseSensitive === true;
  } else if (type === 'numerical') {
    parts.numeric = (q.numeric ?? []).map((n) => ({
      value: n.value,
      tolerance: n.tolerance,
      weight: n.weight,
      feedbackHtml: fb(n.feedback),
    }));
    parts.wrongFeedbackHtml = fb(q.wrongFeedback);
  } else {
    const rightIds = new Map<string, string>();
    const right: QuestionParts['right'] = [];
    for (const pair of q.pairs ?? []) {
      if (!rightIds.has(pair.right)) {
        const id = shortId();
        rightIds.set(pair.right, id);
        right.push({ id, html: renderLine(pair.right, f) });
      }
    }
    parts.right = right;
    parts.left = (q.pairs ?? [])
      .filter((p) => p.left !== '')
      .map((p) => ({
        id: shortId(),
        html: renderLine(p.left, f),
        rightId: rightIds.get(p.right) as string,
      }));
  }
  return parts;
}
