import {
  AnswerReader,
  readMatching,
  readMultichoice,
  readNumerical,
  readShortAnswer,
  readTrueFalse,
  Span,
} from './gift-answers.reader';
import {
  cleanText,
  GIFT_BLANK,
  GIFT_CASE_SENSITIVE_TOKEN,
  GIFT_DEFAULT_FORMAT,
  GIFT_DIFFICULTY_TOKEN,
  PLACEHOLDERS,
  unescapeGift,
  splitFormat,
} from './gift.syntax';
import {
  Difficulty,
  FormatError,
  ParsedQuestion,
  ParseResult,
  QuestionType,
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

interface BlockContext {
  category?: string;
}

const TRUE_FALSE = ['T', 'TRUE', 'F', 'FALSE'];
const TAG_TOKEN = /\[tag:((?:\\\]|[^\]<>`])+)\]/g;

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
    const name = unescapeGift(text.slice(10, firstLineEnd < 0 ? undefined : firstLineEnd)).trim();
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
    title = unescapeGift(text.slice(2, titleEnd)).trim() || undefined;
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
  const questionText = unescapeGift(rest).trim();

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
  const reader: AnswerReader = { text, excerpt: block.excerpt, format, answers, fail };

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
  const first = lines[0].text;
  return {
    text,
    lineAt: (index) => lineOf[Math.max(0, Math.min(index, lineOf.length - 1))],
    excerpt: first.length > 40 ? `${first.slice(0, 40)}…` : first,
  };
}

function readTokens(comments: string[]): { tags: string[]; difficulty?: Difficulty } {
  const all = comments.join('\n');
  const tags = [...all.matchAll(TAG_TOKEN)]
    .map((m) => m[1].replace(/\\\]/g, ']').trim())
    .filter((tag) => tag !== '');
  const difficulty = GIFT_DIFFICULTY_TOKEN.exec(all)?.[1] as Difficulty | undefined;
  return { tags: [...new Set(tags)], ...(difficulty ? { difficulty } : {}) };
}
