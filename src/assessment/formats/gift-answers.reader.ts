import { cleanText, unescapeGift } from './gift.syntax';
import {
  ParsedChoice,
  ParsedNumericAnswer,
  ParsedPair,
  ParsedQuestion,
  TextFormat,
} from './question.types';

// The answers inside `{...}` of each GIFT question type, read as Moodle's qformat_gift::readquestion
// reads them; positions are offsets into the block text so that errors can name their line.

export interface Span {
  start: number;
  end: number;
}

export interface Segment extends Span {
  marker: string;
  at: number;
}

// Moodle's weight is `%` number `%` right after `~` or `=`; anything else starting with `%` is answer text.
const WEIGHT = /^%(-?\d+(?:\.\d+)?)%/;
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

// Moodle rounds the summed fractions to 2 places before checking they make 1, so 3 x 33.33% passes.
const WEIGHT_SUM_SLACK = 0.5;

export interface AnswerReader {
  text: string;
  /** The start of the question, to name it in messages. */
  excerpt: string;
  format: TextFormat;
  answers: Span;
  fail: (at: number, code: string, message: string, messageZh: string) => undefined;
}

export function readMultichoice(
  r: AnswerReader,
  question: ParsedQuestion,
): ParsedQuestion | undefined {
  // Moodle turns every `=` into `~=`, then splits on `~`: a right answer takes no `%weight%`.
  const segments = split(r.text, r.answers, '~=');
  if (segments.length < 2) {
    return tooFew(r, 2);
  }
  const choices: ParsedChoice[] = [];
  for (const segment of segments) {
    let raw = r.text.slice(segment.start, segment.end).trim();
    let weight = 0;
    if (segment.marker === '=') {
      weight = 100;
    } else {
      const parsed = readWeight(r, segment, raw);
      if (parsed === null) {
        return undefined;
      }
      if (parsed) {
        ({ weight, rest: raw } = parsed);
      }
    }
    const choice = readChoice(r, segment, raw, weight);
    if (!choice) {
      return undefined;
    }
    choices.push(choice);
  }
  if (question.type === 'multiple') {
    const total = choices.reduce((sum, c) => sum + Math.max(c.weight, 0), 0);
    if (Math.abs(total - 100) > WEIGHT_SUM_SLACK) {
      return r.fail(
        r.answers.start,
        'GIFT_WEIGHT_SUM',
        `the positive weights of a multiple-answer question must add up to 100% (they add up to ${round(total)}%)`,
        `多选题各正确选项的分值之和须为 100%（现为 ${round(total)}%）`,
      );
    }
  }
  return { ...question, choices };
}

export function readShortAnswer(
  r: AnswerReader,
  question: ParsedQuestion,
): ParsedQuestion | undefined {
  const choices: ParsedChoice[] = [];
  for (const segment of split(r.text, r.answers, '=')) {
    let raw = r.text.slice(segment.start, segment.end).trim();
    let weight = 100;
    const parsed = readWeight(r, segment, raw);
    if (parsed === null) {
      return undefined;
    }
    if (parsed) {
      ({ weight, rest: raw } = parsed);
    }
    const choice = readChoice(r, segment, raw, weight);
    if (!choice) {
      return undefined;
    }
    choices.push(choice);
  }
  if (!choices.some((c) => c.weight === 100)) {
    return noFullCredit(r);
  }
  return { ...question, choices };
}

export function readMatching(
  r: AnswerReader,
  question: ParsedQuestion,
): ParsedQuestion | undefined {
  const pairs: ParsedPair[] = [];
  for (const segment of split(r.text, r.answers, '=')) {
    const raw = r.text.slice(segment.start, segment.end);
    const arrow = raw.indexOf('->');
    const right = arrow < 0 ? '' : unescapeGift(raw.slice(arrow + 2)).trim();
    if (right === '') {
      return r.fail(
        segment.at,
        'GIFT_MATCH_SYNTAX',
        'each matching pair is written "=left -> right", and the right side cannot be empty',
        '配对题每一项须写作“=左项 -> 右项”，右项不能为空',
      );
    }
    pairs.push({ left: cleanText(raw.slice(0, arrow), r.format), right });
  }
  if (pairs.filter((p) => p.left !== '').length < 2) {
    return tooFew(r, 2);
  }
  return { ...question, pairs };
}

export function readTrueFalse(
  r: AnswerReader,
  question: ParsedQuestion,
): ParsedQuestion | undefined {
  // `{TRUE#feedback if wrong#feedback if right}`, as Moodle's split_truefalse_comment reads it.
  const body = r.text.slice(r.answers.start, r.answers.end);
  const first = body.indexOf('#');
  const second = first < 0 ? -1 : body.indexOf('#', first + 1);
  const token = (first < 0 ? body : body.slice(0, first)).trim();
  const wrong =
    first < 0 ? '' : cleanText(body.slice(first + 1, second < 0 ? undefined : second), r.format);
  const right = second < 0 ? '' : cleanText(body.slice(second + 1), r.format);
  const answer = token === 'T' || token === 'TRUE';
  const feedbackTrue = answer ? right : wrong;
  const feedbackFalse = answer ? wrong : right;
  return {
    ...question,
    answer,
    ...(feedbackTrue ? { feedbackTrue } : {}),
    ...(feedbackFalse ? { feedbackFalse } : {}),
  };
}

export function readNumerical(
  r: AnswerReader,
  question: ParsedQuestion,
): ParsedQuestion | undefined {
  const start = r.answers.start + 1;
  const tilde = r.text.indexOf('~', start);
  const end = tilde >= 0 && tilde < r.answers.end ? tilde : r.answers.end;
  let wrongFeedback: string | undefined;
  if (end < r.answers.end) {
    const [, feedback] = splitFeedback(r.text.slice(end + 1, r.answers.end));
    wrongFeedback = feedback === undefined ? undefined : cleanText(feedback, r.format) || undefined;
  }
  const segments = split(r.text, { start, end }, '=');
  if (segments.length === 0) {
    return tooFew(r, 1);
  }
  const numeric: ParsedNumericAnswer[] = [];
  for (const segment of segments) {
    let raw = r.text.slice(segment.start, segment.end).trim();
    let weight = 100;
    const parsed = readWeight(r, segment, raw);
    if (parsed === null) {
      return undefined;
    }
    if (parsed) {
      ({ weight, rest: raw } = parsed);
    }
    const [value, feedbackRaw] = splitFeedback(raw);
    const answer = readNumber(r, segment, value.trim());
    if (!answer) {
      return undefined;
    }
    const feedback = feedbackRaw === undefined ? '' : cleanText(feedbackRaw, r.format);
    numeric.push({ ...answer, weight, ...(feedback ? { feedback } : {}) });
  }
  if (!numeric.some((n) => n.weight === 100)) {
    return noFullCredit(r);
  }
  return { ...question, numeric, ...(wrongFeedback ? { wrongFeedback } : {}) };
}

function readNumber(
  r: AnswerReader,
  segment: Segment,
  raw: string,
): { value: number; tolerance: number } | undefined {
  const bad = (): undefined =>
    r.fail(
      segment.at,
      'GIFT_BAD_NUMBER',
      `"${unescapeGift(raw)}" is not a numerical answer: write 3, 3:0.5 (answer:tolerance) or 1..5 (a range)`,
      `“${unescapeGift(raw)}”不是有效的数值答案：应写作 3、3:0.5（答案:误差）或 1..5（范围）`,
    );
  const range = raw.indexOf('..');
  if (range > 0) {
    const min = raw.slice(0, range).trim();
    const max = raw.slice(range + 2).trim();
    if (!NUMBER.test(min) || !NUMBER.test(max) || Number(min) > Number(max)) {
      return bad();
    }
    // Kept as a middle value and a half-range tolerance, rounded to drop binary noise (3.141..3.142).
    return {
      value: round((Number(min) + Number(max)) / 2),
      tolerance: round((Number(max) - Number(min)) / 2),
    };
  }
  const colon = raw.indexOf(':');
  const value = colon > 0 ? raw.slice(0, colon).trim() : raw;
  const tolerance = colon > 0 ? raw.slice(colon + 1).trim() : '0';
  if (!NUMBER.test(value) || !NUMBER.test(tolerance) || Number(tolerance) < 0) {
    return bad();
  }
  return { value: Number(value), tolerance: Number(tolerance) };
}

function readChoice(
  r: AnswerReader,
  segment: Segment,
  raw: string,
  weight: number,
): ParsedChoice | undefined {
  const [answer, feedbackRaw] = splitFeedback(raw);
  const text = cleanText(answer, r.format);
  if (text === '') {
    return r.fail(segment.at, 'GIFT_EMPTY_ANSWER', 'an answer is empty', '有一个答案为空');
  }
  const feedback = feedbackRaw === undefined ? '' : cleanText(feedbackRaw, r.format);
  return { text, weight, ...(feedback ? { feedback } : {}) };
}

/** The answer's weight, undefined when it has none, null when it is out of range (error reported). */
function readWeight(
  r: AnswerReader,
  segment: Segment,
  raw: string,
): { weight: number; rest: string } | undefined | null {
  const match = WEIGHT.exec(raw);
  if (!match) {
    return undefined;
  }
  const weight = Number(match[1]);
  if (weight < -100 || weight > 100) {
    r.fail(
      segment.at,
      'GIFT_BAD_WEIGHT',
      `the weight ${match[1]}% is outside -100%..100%`,
      `分值 ${match[1]}% 超出 -100%～100% 的范围`,
    );
    return null;
  }
  return { weight, rest: raw.slice(match[0].length) };
}

function tooFew(r: AnswerReader, min: number): undefined {
  return r.fail(
    r.answers.start,
    'GIFT_TOO_FEW_ANSWERS',
    `this question needs at least ${min} answers (${r.excerpt})`,
    `此题至少需要 ${min} 个答案（${r.excerpt}）`,
  );
}

function noFullCredit(r: AnswerReader): undefined {
  return r.fail(
    r.answers.start,
    'GIFT_NO_FULL_CREDIT',
    `no answer gives full credit (100%), so nobody could get this question right (${r.excerpt})`,
    `没有得满分（100%）的答案，学员无法答对此题（${r.excerpt}）`,
  );
}

/** Splits a span before each marker character; Moodle drops the first piece only when it is blank. */
function split(text: string, span: Span, markers: string): Segment[] {
  const out: Segment[] = [];
  let marker = '';
  let start = span.start;
  for (let i = span.start; i < span.end; i++) {
    if (markers.includes(text[i])) {
      out.push({ marker, start, end: i, at: marker ? start - 1 : start });
      marker = text[i];
      start = i + 1;
    }
  }
  out.push({ marker, start, end: span.end, at: marker ? start - 1 : start });
  if (out[0].marker === '' && text.slice(out[0].start, out[0].end).trim() === '') {
    out.shift();
  }
  return out;
}

function splitFeedback(raw: string): [string, string | undefined] {
  const hash = raw.indexOf('#');
  return hash < 0 ? [raw, undefined] : [raw.slice(0, hash), raw.slice(hash + 1)];
}

function round(n: number): number {
  return Number(n.toPrecision(12));
}
