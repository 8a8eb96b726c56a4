import { matchesFillIn, QuestionType } from './formats';
import { QuestionParts } from './question-parts';

/**
 * Grading rules, pure so they can be read and tested on their own. Every question is worth one point; a
 * question counts as right only with full credit (partial credit goes into the wrong-answer notebook).
 */

/** What a learner may send per type (API.md): option id, option ids, boolean, text, number, {leftId: rightId}. */
export type AnswerResponse = string | string[] | boolean | number | Record<string, string>;

export type ShapeCheck = { ok: true; value: AnswerResponse } | { ok: false; reason: string };

const MAX_TEXT = 500;

/** Checks a response's shape against the question (known ids only); `reason` is an i18n key. */
export function checkResponse(
  type: QuestionType,
  parts: QuestionParts,
  response: unknown,
): ShapeCheck {
  const optionIds = new Set((parts.options ?? []).map((o) => o.id));
  switch (type) {
    case 'single':
      return typeof response === 'string' && optionIds.has(response)
        ? { ok: true, value: response }
        : { ok: false, reason: 'assessment.response.optionId' };
    case 'multiple': {
      if (!Array.isArray(response) || response.length > optionIds.size) {
        return { ok: false, reason: 'assessment.response.optionIds' };
      }
      const ids = [...new Set(response)];
      return ids.every((id) => typeof id === 'string' && optionIds.has(id))
        ? { ok: true, value: ids as string[] }
        : { ok: false, reason: 'assessment.response.optionIds' };
    }
    case 'truefalse':
      return typeof response === 'boolean'
        ? { ok: true, value: response }
        : { ok: false, reason: 'assessment.response.boolean' };
    case 'shortanswer':
      return typeof response === 'string' && response.length <= MAX_TEXT
        ? { ok: true, value: response }
        : { ok: false, reason: 'assessment.response.text' };
    case 'numerical':
      return typeof response === 'number' && Number.isFinite(response)
        ? { ok: true, value: response }
        : { ok: false, reason: 'assessment.response.number' };
    case 'matching': {
      if (typeof response !== 'object' || response === null || Array.isArray(response)) {
        return { ok: false, reason: 'assessment.response.pairs' };
      }
      const leftIds = new Set((parts.left ?? []).map((l) => l.id));
      const rightIds = new Set((parts.right ?? []).map((r) => r.id));
      const entries = Object.entries(response as Record<string, unknown>);
      const valid = entries.every(
        ([l, r]) => leftIds.has(l) && typeof r === 'string' && rightIds.has(r),
      );
      return valid
        ? { ok: true, value: Object.fromEntries(entries) as Record<string, string> }
        : { ok: false, reason: 'assessment.response.pairs' };
    }
  }
}

export interface QuestionGrade {
  /** 0..1 */
  credit: number;
  /** Full credit. */
  correct: boolean;
  /** Feedback for what the learner answered (per chosen option, per matched answer). */
  responseFeedbackHtml: string[];
}

const clamp01 = (n: number): number => Math.min(1, Math.max(0, n));
/** Credit kept to 4 decimals so sums of thirds compare equal on both databases. */
const round4 = (n: number): number => Math.round(n * 10000) / 10000;

export function gradeQuestion(
  type: QuestionType,
  parts: QuestionParts,
  response: AnswerResponse | null | undefined,
): QuestionGrade {
  const none: QuestionGrade = { credit: 0, correct: false, responseFeedbackHtml: [] };
  if (response === null || response === undefined) {
    return none;
  }
  const check = checkResponse(type, parts, response);
  if (!check.ok) {
    return none;
  }
  const value = check.value;
  const feedback = (html?: string): string[] => (html ? [html] : []);
  let credit = 0;
  let responseFeedbackHtml: string[] = [];
  switch (type) {
    case 'single': {
      const chosen = (parts.options ?? []).find((o) => o.id === value);
      credit = clamp01((chosen?.weight ?? 0) / 100);
      responseFeedbackHtml = feedback(chosen?.feedbackHtml);
      break;
    }
    case 'multiple': {
      // content/README.md: each right choice picked earns 1/(number of right choices), each wrong choice
      // picked takes away the same, never below 0.
      const options = parts.options ?? [];
      const rightCount = options.filter((o) => o.weight > 0).length;
      const picked = options.filter((o) => (value as string[]).includes(o.id));
      const net = picked.reduce((sum, o) => sum + (o.weight > 0 ? 1 : -1), 0);
      credit = rightCount === 0 ? 0 : clamp01(net / rightCount);
      responseFeedbackHtml = picked.flatMap((o) => feedback(o.feedbackHtml));
      break;
    }
    case 'truefalse':
      credit = value === parts.answer ? 1 : 0;
      responseFeedbackHtml = feedback(
        value === true ? parts.feedbackTrueHtml : parts.feedbackFalseHtml,
      );
      break;
    case 'shortanswer': {
      // The best accepted answer that matches (GIFT allows partial-credit variants).
      const matches = (parts.accepted ?? []).filter((a) =>
        matchesFillIn(value as string, a.text, parts.caseSensitive === true),
      );
      const best = matches.sort((a, b) => b.weight - a.weight)[0];
      credit = clamp01((best?.weight ?? 0) / 100);
      responseFeedbackHtml = feedback(best?.feedbackHtml);
      break;
    }
    case 'numerical': {
      const n = value as number;
      // A small epsilon so 3.1415 ± 0.0005 accepts 3.142 despite binary rounding.
      const matches = (parts.numeric ?? []).filter(
        (a) => Math.abs(n - a.value) <= a.tolerance + 1e-9,
      );
      const best = matches.sort((a, b) => b.weight - a.weight)[0];
      credit = clamp01((best?.weight ?? 0) / 100);
      responseFeedbackHtml = best ? feedback(best.feedbackHtml) : feedback(parts.wrongFeedbackHtml);
      break;
    }
    case 'matching': {
      const left = parts.left ?? [];
      const pairs = value as Record<string, string>;
      const right = left.filter((l) => pairs[l.id] === l.rightId).length;
      credit = left.length === 0 ? 0 : right / left.length;
      break;
    }
  }
  credit = round4(credit);
  return { credit, correct: credit >= 1, responseFeedbackHtml };
}

/** The right answer in a form a review page can show (only when the quiz's review policy allows). */
export interface CorrectAnswer {
  optionIds?: string[];
  answer?: boolean;
  accepted?: string[];
  numeric?: Array<{ value: number; tolerance: number }>;
  pairs?: Record<string, string>;
}

export function correctAnswer(type: QuestionType, parts: QuestionParts): CorrectAnswer {
  switch (type) {
    case 'single': {
      const best = Math.max(...(parts.options ?? []).map((o) => o.weight));
      return {
        optionIds: (parts.options ?? [])
          .filter((o) => o.weight === best && best > 0)
          .map((o) => o.id),
      };
    }
    case 'multiple':
      return { optionIds: (parts.options ?? []).filter((o) => o.weight > 0).map((o) => o.id) };
    case 'truefalse':
      return { answer: parts.answer };
    case 'shortanswer':
      return { accepted: (parts.accepted ?? []).filter((a) => a.weight >= 100).map((a) => a.text) };
    case 'numerical':
      return {
        numeric: (parts.numeric ?? [])
          .filter((a) => a.weight >= 100)
          .map((a) => ({ value: a.value, tolerance: a.tolerance })),
      };
    case 'matching':
      return { pairs: Object.fromEntries((parts.left ?? []).map((l) => [l.id, l.rightId])) };
  }
}

export interface AttemptScore {
  score: number;
  maxScore: number;
  scorePercent: number;
  passed: boolean;
}

/**
 * The score is the sum of the credits (4 decimals); the percent is rounded to 2 decimals, the figure every page,
 * export and certificate rule shows and compares; passed is judged on that rounded figure, inclusive: a result
 * shown as 60.00 % passes a pass mark of 60, one shown as 59.99 % does not.
 */
export function scoreAttempt(credits: number[], passMark: number): AttemptScore {
  const score = round4(credits.reduce((s, c) => s + c, 0));
  const maxScore = credits.length;
  const scorePercent = maxScore === 0 ? 0 : Math.round((score / maxScore) * 10000) / 100;
  return { score, maxScore, scorePercent, passed: maxScore > 0 && scorePercent >= passMark };
}

/** The most chosen wrong option key of a question's responses (for item analysis), or null. */
export function wrongChoiceKeys(
  type: QuestionType,
  parts: QuestionParts,
  response: AnswerResponse | null | undefined,
): string[] {
  if (response === null || response === undefined) {
    return [];
  }
  if (type === 'single') {
    const o = (parts.options ?? []).find((x) => x.id === response);
    return o && o.weight < 100 ? [o.id] : [];
  }
  if (type === 'multiple' && Array.isArray(response)) {
    return (parts.options ?? [])
      .filter((o) => o.weight <= 0 && response.includes(o.id))
      .map((o) => o.id);
  }
  if (type === 'truefalse' && typeof response === 'boolean') {
    return response !== parts.answer ? [String(response)] : [];
  }
  if (type === 'matching' && typeof response === 'object' && !Array.isArray(response)) {
    const pairs = response;
    return (parts.left ?? [])
      .filter((l) => pairs[l.id] !== undefined && pairs[l.id] !== l.rightId)
      .map((l) => `${l.id}>${pairs[l.id]}`);
  }
  if (type === 'shortanswer' && typeof response === 'string') {
    return gradeQuestion(type, parts, response).correct ? [] : [response.trim()];
  }
  if (type === 'numerical' && typeof response === 'number') {
    return gradeQuestion(type, parts, response).correct ? [] : [String(response)];
  }
  return [];
}
