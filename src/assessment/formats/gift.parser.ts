import {
  GIFT_BLANK,
  GIFT_CASE_SENSITIVE_TOKEN,
  GIFT_DEFAULT_FORMAT,
  GIFT_DIFFICULTY_TOKEN,
  GIFT_FORMAT_TAG,
} from './gift.syntax';
import {
  Difficulty,
  FormatError,
  ParsedChoice,
  ParsedNumericAnswer,
  ParsedPair,
  ParsedQuestion,
  ParseResult,
  QuestionType,
  TextFormat,
} from './question.types';

// Follows Moodle's reference reader (question/format/gift/format.php): questions are separated by blank
// lines, the first `{` and `}` delimit the answers, and the same characters decide the type. Where Moodle
// would silently import something a learner cannot be graded on, we report an error instead.

interface SourceLine {
  text: string;
  line: number;
}

/** One block's text with escapes replaced by placeholders, and the source line of every character. */
interface Block {
  text: string;
  lineAt: (index: number) => number;
  excerpt: string;
}

interface Span {
  start: number;
  end: number;
}

interface Segment extends Span {
  marker: string;
  at: number;
}

interface BlockContext {
  category?: string;
}

// Escaped characters become private-use placeholders while the structure is read (Moodle uses `&&058;`
// and friends), so `\{` can never open an answer block.
const PLACEHOLDERS: Record<string, string> = {
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

// Moodle's weight is `%` number `%` right after `~` or `=`; anything else starting with `%` is answer text.
const WEIGHT = /^%(-?\d+(?:\.\d+)?)%/;
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const TRUE_FALSE = ['T', 'TRUE', 'F', 'FALSE'];
const TAG_TOKEN = /\[tag:((?:\\\]|[^\]<>`])+)\]/g;

// Moodle accepts 0.5 % of slack in the sum of multiple-answer weights (it rounds the fraction to 2 places).
const WEIGHT_SUM_SLACK = 0.5;

export function parseGift(source: string): ParseResult {
  const questions: ParsedQuestion[] = [];
  const errors: FormatError[] = [];
  const context: BlockContext = {};
  let block: SourceLine[] = [];

  const flush = (): void => {
    if (block.length > 0) {
      const question = readBlock(block, context, errors);
      if (question) {
        questions.push(question);
      }
      block = [];
    }
  };

  source
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\r|\n/)
    .forEach((raw, index) => {
      const text = raw.trim();
      if (text === '') {
        flush();
      } else {
        block.push({ text, line: index + 1 });
      }
    });
  flush();
  return { questions, errors };
}

function readBlock(
  lines: SourceLine[],
  context: BlockContext,
  errors: FormatError[],
): ParsedQuestion | undefined {
  // Moodle drops `//` lines anywhere in a block; Moodle 3.6+ reads `[tag:...]` tokens from them.
  const comments = lines.filter((l) => l.text.startsWith('//')).map((l) => l.text);
  const body = lines.filter((l) => !l.text.startsWith('//'));
  if (body.length === 0) {
    return undefined;
  }
  const block = cook(body);
  const { text } = block;
  const fail = (at: number, code: string, message: string, messageZh: string): undefined => {
    errors.push({ line: block.lineAt(at), code, message, messageZh });
    return undefined;
  };

  if (text.startsWith('$CATEGORY:')) {
    const firstLineEnd = text.indexOf('\n');
    const name = restore(text.slice(10, firstLineEnd < 0 ? undefined : firstLineEnd)).trim();
    context.category = name === '' ? undefined : name;
    if (firstLineEnd >= 0) {
      fail(
        firstLineEnd + 1,
        'GIFT_CATEGORY_NOT_ALONE',
        '$CATEGORY must stand alone: put a blank line between it and the next question',
        '$CATEGORY 行须单独成段：请在它与下一题之间空一行',
      );
    }
    return undefined;
  }

  let pos = 0;
  let title: string | undefined;
  if (text.startsWith('::')) {
    const titleEnd = text.indexOf('::', 2);
    if (titleEnd < 0) {
      return fail(
        0,
        'GIFT_TITLE_NOT_CLOSED',
        `the question name is not closed with "::" (${block.excerpt})`,
        `题目名称缺少结尾的“::”（${block.excerpt}）`,
      );
    }
    title = restore(text.slice(2, titleEnd)).trim() || undefined;
    pos = titleEnd + 2;
  }

  const open = text.indexOf('{', pos);
  const close = text.indexOf('}', pos);
  if (open < 0 && close < 0) {
    return fail(
      pos,
      'GIFT_UNSUPPORTED_TYPE',
      `a description (text with no answer block) is not a question type we support (${block.excerpt})`,
      `不支持“说明”类题目（没有答案部分的文字）（${block.excerpt}）`,
    );
  }
  if (open < 0 || close < 0 || close < open) {
    return fail(
      open < 0 || (close >= 0 && close < open) ? close : open,
      'GIFT_BRACE',
      'unbalanced braces: the answers go between one "{" and one "}" (write \\{ or \\} for a literal brace)',
      '花括号不配对：答案须写在一对“{”“}”之间（文字中的花括号请写作 \\{ 或 \\}）',
    );
  }
  const nested = text.indexOf('{', open + 1);
  const extra = text.slice(close + 1).search(/[{}]/);
  if ((nested >= 0 && nested < close) || extra >= 0) {
    return fail(
      nested >= 0 && nested < close ? nested : close + 1 + extra,
      'GIFT_BRACE',
      'a question has exactly one answer block; write \\{ or \\} for a literal brace',
      '每题只能有一个答案部分；文字中的花括号请写作 \\{ 或 \\}',
    );
  }

  // Text after the block makes it a missing-word question: the blank marks where the block stood.
  const after = text.slice(close + 1);
  const stem = text.slice(pos, open) + (after === '' ? '' : GIFT_BLANK + after);
  const { format, rest } = splitFormat(stem.trim(), GIFT_DEFAULT_FORMAT);
  const questionText = restore(rest).trim();

  let answers = trimSpan(text, { start: open + 1, end: close });
  let generalFeedback: string | undefined;
  const separator = text.lastIndexOf('####', answers.end - 4);
  if (separator >= answers.start) {
    generalFeedback = cleanText(text.slice(separator + 4, answers.end), format);
    answers = trimSpan(text, { start: answers.start, end: separator });
  }
  const answerText = text.slice(answers.start, answers.end);

  const base = (type: QuestionType): ParsedQuestion => {
    const tokens = readTokens(comments);
    return {
      line: body[0].line,
      type,
      ...(title !== undefined ? { title } : {}),
      text: questionText,
      textFormat: format,
      ...(context.category !== undefined ? { category: context.category } : {}),
      tags: tokens.tags,
      ...(tokens.difficulty ? { difficulty: tokens.difficulty } : {}),
      ...(generalFeedback ? { generalFeedback } : {}),
    };
  };
  const reader: AnswerReader = { text, block, format, answers, fail };

  if (answerText === '') {
    return fail(
      open,
      'GIFT_UNSUPPORTED_TYPE',
      `essay questions (an empty answer block "{}") are not supported (${block.excerpt})`,
      `不支持问答题（空答案部分“{}”）（${block.excerpt}）`,
    );
  }
  if (answerText.startsWith('#')) {
    return readNumerical(reader, base('numerical'));
  }
  if (answerText.includes('~')) {
    return readMultichoice(reader, base(answerText.includes('=') ? 'single' : 'multiple'));
  }
  if (answerText.includes('=') && answerText.includes('->')) {
    return readMatching(reader, base('matching'));
  }
  const hash = answerText.indexOf('#');
  if (TRUE_FALSE.includes((hash > 0 ? answerText.slice(0, hash) : answerText).trim())) {
    return readTrueFalse(reader, base('truefalse'));
  }
  const question = readShortAnswer(reader, base('shortanswer'));
  if (question) {
    question.caseSensitive = comments.some((c) => c.includes(GIFT_CASE_SENSITIVE_TOKEN));
  }
  return question;
}

interface AnswerReader {
  text: string;
  block: Block;
  format: TextFormat;
  answers: Span;
  fail: (at: number, code: string, message: string, messageZh: string) => undefined;
}

function readMultichoice(r: AnswerReader, question: ParsedQuestion): ParsedQuestion | undefined {
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

function readShortAnswer(r: AnswerReader, question: ParsedQuestion): ParsedQuestion | undefined {
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

function readMatching(r: AnswerReader, question: ParsedQuestion): ParsedQuestion | undefined {
  const pairs: ParsedPair[] = [];
  for (const segment of split(r.text, r.answers, '=')) {
    const raw = r.text.slice(segment.start, segment.end);
    const arrow = raw.indexOf('->');
    const right = arrow < 0 ? '' : restore(raw.slice(arrow + 2)).trim();
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

function readTrueFalse(r: AnswerReader, question: ParsedQuestion): ParsedQuestion | undefined {
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

function readNumerical(r: AnswerReader, question: ParsedQuestion): ParsedQuestion | undefined {
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
      `"${restore(raw)}" is not a numerical answer: write 3, 3:0.5 (answer:tolerance) or 1..5 (a range)`,
      `“${restore(raw)}”不是有效的数值答案：应写作 3、3:0.5（答案:误差）或 1..5（范围）`,
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
    `this question needs at least ${min} answers (${r.block.excerpt})`,
    `此题至少需要 ${min} 个答案（${r.block.excerpt}）`,
  );
}

function noFullCredit(r: AnswerReader): undefined {
  return r.fail(
    r.answers.start,
    'GIFT_NO_FULL_CREDIT',
    `no answer gives full credit (100%), so nobody could get this question right (${r.block.excerpt})`,
    `没有得满分（100%）的答案，学员无法答对此题（${r.block.excerpt}）`,
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

function splitFormat(raw: string, fallback: TextFormat): { format: TextFormat; rest: string } {
  const match = GIFT_FORMAT_TAG.exec(raw);
  return match
    ? { format: match[1] as TextFormat, rest: raw.slice(match[0].length) }
    : { format: fallback, rest: raw };
}

/**
 * Answer and feedback texts may carry their own `[format]` tag; our model has one format per question,
 * so the tag is dropped and the text kept as written.
 */
function cleanText(raw: string, format: TextFormat): string {
  return restore(splitFormat(raw.trim(), format).rest).trim();
}

function trimSpan(text: string, span: Span): Span {
  let { start, end } = span;
  while (start < end && /\s/.test(text[start])) {
    start++;
  }
  while (end > start && /\s/.test(text[end - 1])) {
    end--;
  }
  return { start, end };
}

function cook(lines: SourceLine[]): Block {
  let text = '';
  const lineOf: number[] = [];
  lines.forEach(({ text: raw, line }, index) => {
    if (index > 0) {
      text += '\n';
      lineOf.push(line);
    }
    for (let i = 0; i < raw.length; i++) {
      const placeholder = raw[i] === '\\' ? PLACEHOLDERS[raw[i + 1]] : undefined;
      text += placeholder ?? raw[i];
      lineOf.push(line);
      if (placeholder) {
        i++;
      }
    }
  });
  const first = restore(lines[0].text);
  return {
    text,
    lineAt: (index) => lineOf[Math.max(0, Math.min(index, lineOf.length - 1))],
    excerpt: first.length > 40 ? `${first.slice(0, 40)}…` : first,
  };
}

function restore(text: string): string {
  return text.replace(PLACEHOLDER_PATTERN, (placeholder) => RESTORED[placeholder]);
}

function readTokens(comments: string[]): { tags: string[]; difficulty?: Difficulty } {
  const all = comments.join('\n');
  const tags = [...all.matchAll(TAG_TOKEN)]
    .map((m) => m[1].replace(/\\\]/g, ']').trim())
    .filter((tag) => tag !== '');
  const difficulty = GIFT_DIFFICULTY_TOKEN.exec(all)?.[1] as Difficulty | undefined;
  return { tags: [...new Set(tags)], ...(difficulty ? { difficulty } : {}) };
}

function round(n: number): number {
  return Number(n.toPrecision(12));
}
