import { isMap, isNode, isScalar, isSeq, LineCounter, Pair, parseDocument, YAMLMap } from 'yaml';
import {
  BankFileMeta,
  BankParseResult,
  BankQuizMeta,
  QUIZ_REVIEWS,
  QuizReview,
} from './bank-markdown.types';
import {
  DIFFICULTIES,
  Difficulty,
  FormatError,
  ParsedChoice,
  ParsedQuestion,
  QUESTION_TYPES,
  QuestionType,
} from './question.types';

// The format is specified in content/README.md, section "Question bank". Every problem is reported with
// its file line, and one bad question does not stop the others from being read.

export const BANK_SLUG = /^[a-z0-9-]+$/;
export const BANK_LESSON = /^\d{2}-[a-z0-9-]+$/;
/** Lower-case words, digits, `_` and `-` (competencies such as acting_by_law, free tags such as lesson-1). */
export const BANK_TAG = /^[\p{Ll}\p{Lo}\p{N}][\p{Ll}\p{Lo}\p{N}_-]*$/u;

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const ATTRIBUTE = /^([A-Za-z][A-Za-z0-9]*):[ \t]*(.*?)[ \t]*$/;
const HEADING = /^##(?:[ \t]+(.*?))?[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const TASK_ITEM = /^- \[([ xX])\](?:[ \t]+(.*?))?[ \t]*$/;
const PAIR_ITEM = /^- (.*?)[ \t]*=>[ \t]*(.*?)[ \t]*$/;
const ITEM_FEEDBACK = /^[ \t]+>[ \t]?(.*)$/;
const CONTINUATION = /^[ \t]{2,}(\S.*)$/;
const QUOTE = /^>[ \t]?(.*)$/;

const COMMON_ATTRIBUTES = ['type', 'title', 'tags', 'difficulty'];
const TYPE_ATTRIBUTES: Record<QuestionType, string[]> = {
  single: [],
  multiple: [],
  truefalse: ['answer'],
  shortanswer: ['caseSensitive'],
  numerical: ['answer', 'tolerance'],
  matching: [],
};
const KNOWN_ATTRIBUTES = new Set([...COMMON_ATTRIBUTES, 'answer', 'tolerance', 'caseSensitive']);
const MIN_MATCHING_PAIRS = 3;

type Report = (line: number, code: string, message: string, messageZh: string) => void;

interface Line {
  text: string;
  line: number;
}

export function parseBankMarkdown(source: string, fileName?: string): BankParseResult {
  const errors: FormatError[] = [];
  const report: Report = (line, code, message, messageZh) => {
    errors.push({ line, code, message, messageZh });
  };
  const lines = source.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);

  if (lines[0]?.trim() !== '---') {
    report(
      1,
      'BANK_FRONT_MATTER_MISSING',
      'a question bank starts with front matter between two "---" lines',
      '题库文件须以两行“---”之间的前置信息（front matter）开头',
    );
    return { meta: null, questions: readQuestions(lines, 0, report).questions, errors };
  }
  const close = lines.findIndex((l, i) => i > 0 && l.trim() === '---');
  if (close < 0) {
    report(
      1,
      'BANK_FRONT_MATTER_NOT_CLOSED',
      'the front matter has no closing "---" line',
      '前置信息缺少结尾的“---”行',
    );
    return { meta: null, questions: [], errors };
  }

  const read = readMeta(lines.slice(1, close).join('\n'), report);
  if (read && fileName !== undefined) {
    const expected = fileName.replace(/^.*[\\/]/, '').replace(/\.md$/, '');
    if (read.meta.slug !== expected) {
      report(
        read.lines.slug,
        'BANK_SLUG_MISMATCH',
        `slug "${read.meta.slug}" must equal the file name "${expected}"`,
        `slug“${read.meta.slug}”须与文件名“${expected}”一致`,
      );
    }
  }
  const { questions, blocks } = readQuestions(lines, close + 1, report);
  if (read) {
    checkQuizzes(read, questions, report);
  }
  if (blocks === 0) {
    report(
      Math.min(close + 2, lines.length),
      'BANK_NO_QUESTIONS',
      'the bank holds no questions',
      '题库中没有题目',
    );
  }
  errors.sort((a, b) => a.line - b.line);
  return { meta: read?.meta ?? null, questions, errors };
}

// ---------------------------------------------------------------------------------------------------
// Front matter

interface QuizLines {
  item: number;
  tags: number;
  questionCount: number;
}

interface MetaRead {
  meta: BankFileMeta;
  lines: { slug: number; quizzes: QuizLines[] };
}

function readMeta(yamlText: string, report: Report): MetaRead | undefined {
  const counter = new LineCounter();
  const doc = parseDocument(yamlText, {
    lineCounter: counter,
    prettyErrors: false,
    uniqueKeys: true,
  });
  // The YAML starts on the file's second line.
  const lineAt = (offset: number): number => counter.linePos(offset).line + 1;
  const lineOf = (node: unknown, fallback = 1): number =>
    isNode(node) && node.range ? lineAt(node.range[0]) : fallback;

  // Only the first YAML problem: the ones after it are usually its echoes.
  const [problem] = [...doc.errors, ...doc.warnings];
  if (problem) {
    const detail = problem.message.split('\n')[0];
    report(
      lineAt(problem.pos[0]),
      'BANK_YAML',
      `front matter is not valid YAML: ${detail}`,
      `前置信息不是有效的 YAML：${detail}`,
    );
    return undefined;
  }
  if (!isMap(doc.contents)) {
    report(
      2,
      'BANK_META_NOT_MAP',
      'the front matter must be "key: value" lines',
      '前置信息须为“键: 值”形式',
    );
    return undefined;
  }

  let ok = true;
  const fail: Report = (...args) => {
    ok = false;
    report(...args);
  };
  const fields = new FieldReader(doc.contents, 1, 'front matter', '前置信息', lineOf, fail);
  fields.allow(['slug', 'name', 'nameEn', 'course', 'quizzes']);
  const slug = fields.slug('slug', true);
  const name = fields.text('name', true);
  const nameEn = fields.text('nameEn', true);
  const course = fields.slug('course', true);
  const quizzesNode = fields.node('quizzes', true);
  const quizzes: BankQuizMeta[] = [];
  const quizLines: QuizLines[] = [];
  if (quizzesNode !== undefined && !isSeq(quizzesNode)) {
    fail(
      lineOf(quizzesNode, fields.keyLine('quizzes')),
      'BANK_META_INVALID',
      '`quizzes` must be a list of quizzes ("- slug: ...")',
      '`quizzes` 须为测验列表（“- slug: ...”）',
    );
  }
  if (isSeq(quizzesNode)) {
    const seen = new Map<string, number>();
    for (const item of quizzesNode.items) {
      const itemLine = lineOf(item, fields.keyLine('quizzes'));
      if (!isMap(item)) {
        fail(
          itemLine,
          'BANK_META_INVALID',
          'each quiz must be "key: value" lines',
          '每个测验须为“键: 值”形式',
        );
        continue;
      }
      const quiz = readQuiz(new FieldReader(item, itemLine, 'quiz', '测验', lineOf, fail));
      if (!quiz) {
        continue;
      }
      const previous = seen.get(quiz.meta.slug);
      if (previous !== undefined) {
        fail(
          itemLine,
          'BANK_QUIZ_DUPLICATE',
          `quiz slug "${quiz.meta.slug}" is already used on line ${previous}`,
          `测验 slug“${quiz.meta.slug}”已在第 ${previous} 行使用`,
        );
      }
      seen.set(quiz.meta.slug, itemLine);
      quizzes.push(quiz.meta);
      quizLines.push({ item: itemLine, ...quiz.lines });
    }
  }
  if (
    !ok ||
    slug === undefined ||
    name === undefined ||
    nameEn === undefined ||
    course === undefined
  ) {
    return undefined;
  }
  return {
    meta: { slug, name, nameEn, course, quizzes },
    lines: { slug: fields.keyLine('slug'), quizzes: quizLines },
  };
}

function readQuiz(
  fields: FieldReader,
): { meta: BankQuizMeta; lines: Omit<QuizLines, 'item'> } | undefined {
  fields.allow([
    'slug',
    'title',
    'titleEn',
    'lesson',
    'questionCount',
    'tags',
    'passMark',
    'timeLimitMinutes',
    'attemptsAllowed',
    'shuffle',
    'review',
  ]);
  const slug = fields.slug('slug', true);
  const title = fields.text('title', true);
  const titleEn = fields.text('titleEn', true);
  const lesson = fields.pattern('lesson', BANK_LESSON, '01-lesson-name');
  const questionCount = fields.integer('questionCount', 1);
  const tags = fields.tags('tags') ?? [];
  const passMark = fields.number('passMark', 0, 100, true);
  const timeLimitMinutes = fields.integer('timeLimitMinutes', 1);
  const attemptsAllowed = fields.integer('attemptsAllowed', 1);
  // Questions keep their written order unless the author asks for shuffling.
  const shuffle = fields.boolean('shuffle') ?? false;
  const review = fields.oneOf('review', QUIZ_REVIEWS, true) as QuizReview | undefined;
  if (
    slug === undefined ||
    title === undefined ||
    titleEn === undefined ||
    passMark === undefined ||
    review === undefined
  ) {
    return undefined;
  }
  return {
    meta: {
      slug,
      title,
      titleEn,
      ...(lesson !== undefined ? { lesson } : {}),
      ...(questionCount !== undefined ? { questionCount } : {}),
      tags,
      passMark,
      ...(timeLimitMinutes !== undefined ? { timeLimitMinutes } : {}),
      ...(attemptsAllowed !== undefined ? { attemptsAllowed } : {}),
      shuffle,
      review,
    },
    lines: { tags: fields.keyLine('tags'), questionCount: fields.keyLine('questionCount') },
  };
}

/** Reads the keys of one YAML mapping, reporting a missing, unknown or ill-typed value with its line. */
class FieldReader {
  private readonly pairs = new Map<string, Pair>();

  constructor(
    map: YAMLMap,
    private readonly line: number,
    private readonly where: string,
    private readonly whereZh: string,
    private readonly lineOf: (node: unknown, fallback?: number) => number,
    private readonly fail: Report,
  ) {
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      this.pairs.set(key, pair);
    }
  }

  allow(keys: string[]): void {
    for (const [key, pair] of this.pairs) {
      if (!keys.includes(key)) {
        this.fail(
          this.lineOf(pair.key, this.line),
          'BANK_META_UNKNOWN_KEY',
          `unknown key "${key}" in the ${this.where}; allowed: ${keys.join(', ')}`,
          `${this.whereZh}中有未知的键“${key}”；允许的键：${keys.join(', ')}`,
        );
      }
    }
  }

  keyLine(key: string): number {
    const pair = this.pairs.get(key);
    return pair ? this.lineOf(pair.key, this.line) : this.line;
  }

  /** The value node; undefined when absent or null (reported when required). */
  node(key: string, required = false): unknown {
    const pair = this.pairs.get(key);
    const value: unknown = pair?.value;
    if (value === undefined || value === null || (isScalar(value) && value.value === null)) {
      if (required) {
        this.fail(
          this.line,
          'BANK_META_MISSING_KEY',
          `the ${this.where} needs "${key}"`,
          `${this.whereZh}缺少“${key}”`,
        );
      }
      return undefined;
    }
    return value;
  }

  text(key: string, required = false): string | undefined {
    const node = this.node(key, required);
    if (node === undefined) {
      return undefined;
    }
    if (isScalar(node) && typeof node.value === 'string' && node.value.trim() !== '') {
      return node.value.trim();
    }
    return this.invalid(key, node, 'must be non-empty text', '须为非空文字');
  }

  slug(key: string, required = false): string | undefined {
    return this.pattern(key, BANK_SLUG, 'lower-case letters, digits and hyphens', required);
  }

  pattern(key: string, pattern: RegExp, shape: string, required = false): string | undefined {
    const value = this.text(key, required);
    if (value === undefined || pattern.test(value)) {
      return value;
    }
    return this.invalid(key, this.node(key), `must look like ${shape}`, `格式须为 ${shape}`);
  }

  number(key: string, min: number, max: number, required = false): number | undefined {
    const node = this.node(key, required);
    if (node === undefined) {
      return undefined;
    }
    if (
      isScalar(node) &&
      typeof node.value === 'number' &&
      node.value >= min &&
      node.value <= max
    ) {
      return node.value;
    }
    return this.invalid(
      key,
      node,
      `must be a number from ${min} to ${max}`,
      `须为 ${min} 到 ${max} 之间的数`,
    );
  }

  integer(key: string, min: number): number | undefined {
    const node = this.node(key);
    if (node === undefined) {
      return undefined;
    }
    if (isScalar(node) && Number.isInteger(node.value) && (node.value as number) >= min) {
      return node.value as number;
    }
    return this.invalid(
      key,
      node,
      `must be a whole number of at least ${min}`,
      `须为不小于 ${min} 的整数`,
    );
  }

  boolean(key: string): boolean | undefined {
    const node = this.node(key);
    if (node === undefined) {
      return undefined;
    }
    if (isScalar(node) && typeof node.value === 'boolean') {
      return node.value;
    }
    return this.invalid(key, node, 'must be true or false', '须为 true 或 false');
  }

  oneOf(key: string, values: readonly string[], required = false): string | undefined {
    const value = this.text(key, required);
    if (value === undefined || values.includes(value)) {
      return value;
    }
    return this.invalid(
      key,
      this.node(key),
      `must be one of ${values.join(', ')}`,
      `须为以下之一：${values.join(', ')}`,
    );
  }

  tags(key: string): string[] | undefined {
    const node = this.node(key);
    if (node === undefined) {
      return undefined;
    }
    const items = isSeq(node) ? node.items : undefined;
    if (items?.every((i) => isScalar(i) && typeof i.value === 'string' && BANK_TAG.test(i.value))) {
      return items.map((i) => String((i as { value: string }).value));
    }
    return this.invalid(
      key,
      node,
      'must be a list of tags such as [mediating, lesson-1]',
      '须为标签列表，例如 [mediating, lesson-1]',
    );
  }

  private invalid(key: string, node: unknown, rule: string, ruleZh: string): undefined {
    this.fail(
      this.lineOf(node, this.keyLine(key)),
      'BANK_META_INVALID',
      `"${key}" ${rule}`,
      `“${key}”${ruleZh}`,
    );
    return undefined;
  }
}

function checkQuizzes(read: MetaRead, questions: ParsedQuestion[], report: Report): void {
  read.meta.quizzes.forEach((quiz, index) => {
    const lines = read.lines.quizzes[index];
    // A tag no question carries is almost always a typo, and would silently draw nothing.
    for (const tag of quiz.tags) {
      if (!questions.some((q) => q.tags.includes(tag))) {
        report(
          lines.tags,
          'BANK_QUIZ_TAG_UNUSED',
          `quiz "${quiz.slug}" draws tag "${tag}", which no question carries`,
          `测验“${quiz.slug}”按标签“${tag}”抽题，但没有题目带有该标签`,
        );
      }
    }
    const pool = questions.filter(
      (q) => quiz.tags.length === 0 || q.tags.some((tag) => quiz.tags.includes(tag)),
    ).length;
    if (quiz.questionCount !== undefined && quiz.questionCount > pool) {
      report(
        lines.questionCount,
        'BANK_QUIZ_COUNT_TOO_HIGH',
        `quiz "${quiz.slug}" draws ${quiz.questionCount} questions but only ${pool} match its tags`,
        `测验“${quiz.slug}”需抽取 ${quiz.questionCount} 题，但符合其标签的题目只有 ${pool} 道`,
      );
    }
  });
}

// ---------------------------------------------------------------------------------------------------
// Questions

function readQuestions(
  lines: string[],
  from: number,
  report: Report,
): { questions: ParsedQuestion[]; blocks: number } {
  const blocks: Array<{ heading: Line; body: Line[] }> = [];
  let fence: { marker: string; line: number } | undefined;
  let strayReported = false;
  for (let i = from; i < lines.length; i++) {
    const text = lines[i];
    const line = i + 1;
    const heading = fence === undefined ? HEADING.exec(text) : null;
    if (heading) {
      blocks.push({ heading: { text: heading[1] ?? '', line }, body: [] });
      continue;
    }
    // A `## ` line inside a fenced code block belongs to the stem, not to a new question.
    const fenceMatch = FENCE.exec(text);
    if (fenceMatch) {
      const marker = fenceMatch[1];
      if (fence === undefined) {
        fence = { marker, line };
      } else if (marker[0] === fence.marker[0] && marker.length >= fence.marker.length) {
        fence = undefined;
      }
    }
    const current = blocks[blocks.length - 1];
    if (current) {
      current.body.push({ text, line });
    } else if (text.trim() !== '' && !strayReported) {
      strayReported = true;
      report(
        line,
        'BANK_STRAY_TEXT',
        'text before the first question: each question starts with a "## " heading',
        '第一道题之前有多余文字：每道题须以“## ”标题开头',
      );
    }
  }
  if (fence) {
    // Everything after an unclosed fence, later questions included, would be read as code.
    report(
      fence.line,
      'BANK_FENCE_NOT_CLOSED',
      `the code block opened with ${fence.marker} is never closed`,
      `以 ${fence.marker} 开始的代码块没有结束`,
    );
  }
  const questions = blocks
    .map((block) => readQuestion(block.heading, block.body, report))
    .filter((q): q is ParsedQuestion => q !== undefined);
  return { questions, blocks: blocks.length };
}

interface Item {
  line: number;
  right: boolean;
  text: string;
  feedback: string[];
  left?: string;
}

function readQuestion(heading: Line, body: Line[], report: Report): ParsedQuestion | undefined {
  let ok = true;
  const fail: Report = (...args) => {
    ok = false;
    report(...args);
  };
  const stem = heading.text.replace(/[ \t]+#+$/, '').trim();
  if (stem === '') {
    fail(
      heading.line,
      'BANK_EMPTY_STEM',
      'the "## " heading holds the question text and cannot be empty',
      '“## ”标题即题干，不能为空',
    );
  }

  // Attribute lines run from under the heading to the first blank line.
  const attributes = new Map<string, Line>();
  let cursor = 0;
  for (; cursor < body.length && body[cursor].text.trim() !== ''; cursor++) {
    const { text, line } = body[cursor];
    const match = ATTRIBUTE.exec(text);
    if (!match) {
      fail(
        line,
        'BANK_ATTRIBUTE_SYNTAX',
        'under the heading come "key: value" lines, then a blank line before the rest of the question',
        '标题下方须为“键: 值”形式的属性行，属性之后空一行再写其他内容',
      );
      continue;
    }
    const [, key, value] = match;
    if (attributes.has(key)) {
      fail(line, 'BANK_ATTRIBUTE_DUPLICATE', `"${key}" is given twice`, `属性“${key}”重复`);
    }
    attributes.set(key, { text: value, line });
  }

  const typeAttr = attributes.get('type');
  const type = QUESTION_TYPES.find((t) => t === typeAttr?.text);
  if (!type) {
    fail(
      typeAttr?.line ?? heading.line,
      typeAttr ? 'BANK_ATTRIBUTE_INVALID' : 'BANK_TYPE_MISSING',
      `"type" must be one of ${QUESTION_TYPES.join(', ')}`,
      `“type”须为以下之一：${QUESTION_TYPES.join(', ')}`,
    );
    return undefined;
  }
  const attrs = readAttributes(type, attributes, fail);
  const content = readContent(type, body.slice(cursor), fail);
  const text = content.stem === '' ? stem : `${stem}\n\n${content.stem}`;
  const question: ParsedQuestion = {
    line: heading.line,
    type,
    ...(attrs.title !== undefined ? { title: attrs.title } : {}),
    text,
    textFormat: 'markdown',
    tags: attrs.tags,
    ...(attrs.difficulty ? { difficulty: attrs.difficulty } : {}),
    ...(content.generalFeedback ? { generalFeedback: content.generalFeedback } : {}),
  };
  const answers = buildAnswers(type, heading.line, attrs, content.items, fail);
  return ok && answers ? { ...question, ...answers } : undefined;
}

interface Attributes {
  title?: string;
  tags: string[];
  difficulty?: Difficulty;
  answer?: string;
  answerLine?: number;
  tolerance: number;
  caseSensitive: boolean;
}

function readAttributes(
  type: QuestionType,
  attributes: Map<string, Line>,
  fail: Report,
): Attributes {
  const out: Attributes = { tags: [], tolerance: 0, caseSensitive: false };
  const invalid = (attr: Line, key: string, rule: string, ruleZh: string): void =>
    fail(attr.line, 'BANK_ATTRIBUTE_INVALID', `"${key}" ${rule}`, `“${key}”${ruleZh}`);
  for (const [key, attr] of attributes) {
    const value = attr.text;
    if (!KNOWN_ATTRIBUTES.has(key)) {
      fail(
        attr.line,
        'BANK_ATTRIBUTE_UNKNOWN',
        `unknown attribute "${key}"; allowed: ${[...COMMON_ATTRIBUTES, ...TYPE_ATTRIBUTES[type]].join(', ')}`,
        `未知属性“${key}”；允许的属性：${[...COMMON_ATTRIBUTES, ...TYPE_ATTRIBUTES[type]].join(', ')}`,
      );
      continue;
    }
    if (!COMMON_ATTRIBUTES.includes(key) && !TYPE_ATTRIBUTES[type].includes(key)) {
      fail(
        attr.line,
        'BANK_ATTRIBUTE_NOT_FOR_TYPE',
        `"${key}" does not apply to a ${type} question`,
        `属性“${key}”不适用于 ${type} 题`,
      );
      continue;
    }
    switch (key) {
      case 'title':
        if (value === '') {
          invalid(attr, key, 'cannot be empty', '不能为空');
        } else {
          out.title = value;
        }
        break;
      case 'tags': {
        const list = /^\[(.*)\]$/.exec(value);
        const tags = list ? list[1].split(',').map((t) => t.trim()) : [];
        if (!list || (list[1].trim() !== '' && !tags.every((t) => BANK_TAG.test(t)))) {
          invalid(
            attr,
            key,
            'must be a list in brackets such as [mediating, lesson-1]',
            '须为方括号中的列表，例如 [mediating, lesson-1]',
          );
        } else {
          out.tags = [...new Set(tags.filter((t) => t !== ''))];
        }
        break;
      }
      case 'difficulty':
        if (DIFFICULTIES.includes(value as Difficulty)) {
          out.difficulty = value as Difficulty;
        } else {
          invalid(
            attr,
            key,
            `must be one of ${DIFFICULTIES.join(', ')}`,
            `须为以下之一：${DIFFICULTIES.join(', ')}`,
          );
        }
        break;
      case 'answer':
        out.answer = value;
        out.answerLine = attr.line;
        break;
      case 'tolerance':
        if (NUMBER.test(value) && Number(value) >= 0 && Number.isFinite(Number(value))) {
          out.tolerance = Number(value);
        } else {
          invalid(attr, key, 'must be a number of at least 0', '须为不小于 0 的数');
        }
        break;
      case 'caseSensitive':
        if (value === 'true' || value === 'false') {
          out.caseSensitive = value === 'true';
        } else {
          invalid(attr, key, 'must be true or false', '须为 true 或 false');
        }
        break;
    }
  }
  return out;
}

interface Content {
  stem: string;
  items: Item[];
  generalFeedback?: string;
}

function readContent(type: QuestionType, lines: Line[], fail: Report): Content {
  // A blockquote closing the question is its general feedback.
  let end = lines.length;
  while (end > 0 && lines[end - 1].text.trim() === '') {
    end--;
  }
  let quoteStart = end;
  while (quoteStart > 0 && QUOTE.test(lines[quoteStart - 1].text)) {
    quoteStart--;
  }
  const generalFeedback = lines
    .slice(quoteStart, end)
    .map((l) => QUOTE.exec(l.text)![1])
    .join('\n')
    .trim();

  const body = lines.slice(0, quoteStart);
  const itemPattern = type === 'matching' ? PAIR_ITEM : TASK_ITEM;
  const hasItems = type !== 'truefalse' && type !== 'numerical';
  const firstItem = hasItems ? body.findIndex((l) => itemPattern.test(l.text)) : -1;
  const stemLines = firstItem < 0 ? body : body.slice(0, firstItem);
  if (!hasItems) {
    const stray = stemLines.find((l) => TASK_ITEM.test(l.text));
    if (stray) {
      fail(
        stray.line,
        'BANK_UNEXPECTED_CHOICE',
        `a ${type} question has no choices`,
        `${type} 题没有选项`,
      );
    }
  }

  const items: Item[] = [];
  let afterFeedback = false;
  for (const { text, line } of firstItem < 0 ? [] : body.slice(firstItem)) {
    const current = items[items.length - 1];
    const task = type === 'matching' ? null : TASK_ITEM.exec(text);
    const pair = type === 'matching' ? PAIR_ITEM.exec(text) : null;
    const feedback = ITEM_FEEDBACK.exec(text);
    const continuation = CONTINUATION.exec(text);
    if (task) {
      items.push({ line, right: task[1] !== ' ', text: task[2] ?? '', feedback: [] });
      afterFeedback = false;
    } else if (pair) {
      items.push({ line, right: true, left: pair[1], text: pair[2], feedback: [] });
    } else if (text.trim() === '') {
      continue;
    } else if (feedback && type !== 'matching') {
      current.feedback.push(feedback[1]);
      afterFeedback = true;
    } else if (continuation && !afterFeedback && type !== 'matching') {
      current.text += `\n${continuation[1]}`;
    } else {
      fail(
        line,
        'BANK_UNEXPECTED_LINE',
        type === 'matching'
          ? 'after the first pair only "- left => right" items may follow, then the general feedback ("> ...")'
          : 'after the first choice only "- [x]" / "- [ ]" items with indented "> " feedback may follow, then the general feedback ("> ...")',
        type === 'matching'
          ? '第一组配对之后只能是“- 左项 => 右项”，最后是总体反馈（“> ...”）'
          : '第一个选项之后只能是“- [x]”/“- [ ]”选项及其缩进的“> ”反馈，最后是总体反馈（“> ...”）',
      );
    }
  }

  return {
    stem: trimBlankLines(stemLines.map((l) => l.text)).join('\n'),
    items,
    ...(generalFeedback ? { generalFeedback } : {}),
  };
}

function buildAnswers(
  type: QuestionType,
  line: number,
  attrs: Attributes,
  items: Item[],
  fail: Report,
): Partial<ParsedQuestion> | undefined {
  const rule = (code: string, message: string, messageZh: string, at = line): undefined => {
    fail(at, code, message, messageZh);
    return undefined;
  };
  for (const item of items) {
    if (item.text.trim() === '' || item.left?.trim() === '') {
      return rule(
        'BANK_EMPTY_CHOICE',
        'a choice or pair side is empty',
        '有选项或配对项为空',
        item.line,
      );
    }
  }
  const duplicate = items.find((item, i) =>
    items.some((other, j) => j < i && (item.left ?? item.text) === (other.left ?? other.text)),
  );
  if (duplicate) {
    return rule(
      'BANK_DUPLICATE_CHOICE',
      `"${duplicate.left ?? duplicate.text}" appears twice`,
      `“${duplicate.left ?? duplicate.text}”重复出现`,
      duplicate.line,
    );
  }
  const rightCount = items.filter((i) => i.right).length;
  const choice = (item: Item, weight: number): ParsedChoice => {
    const feedback = item.feedback.join('\n').trim();
    return { text: item.text, weight, ...(feedback ? { feedback } : {}) };
  };

  switch (type) {
    case 'single':
      if (items.length < 2) {
        return rule(
          'BANK_TOO_FEW_CHOICES',
          'a single-choice question needs at least 2 choices',
          '单选题至少需要 2 个选项',
        );
      }
      if (rightCount !== 1) {
        return rule(
          'BANK_SINGLE_RIGHT_COUNT',
          `a single-choice question has exactly one "- [x]" choice (found ${rightCount})`,
          `单选题须恰有一个“- [x]”正确选项（现有 ${rightCount} 个）`,
        );
      }
      return { choices: items.map((i) => choice(i, i.right ? 100 : 0)) };
    case 'multiple': {
      if (items.length < 2) {
        return rule(
          'BANK_TOO_FEW_CHOICES',
          'a multiple-choice question needs at least 2 choices',
          '多选题至少需要 2 个选项',
        );
      }
      if (rightCount === 0) {
        return rule(
          'BANK_NO_RIGHT_CHOICE',
          'a multiple-choice question needs at least one "- [x]" choice',
          '多选题至少需要一个“- [x]”正确选项',
        );
      }
      // README: each right choice earns 1/(number right); each wrong one takes away the same.
      const share = 100 / rightCount;
      return { choices: items.map((i) => choice(i, i.right ? share : -share)) };
    }
    case 'shortanswer': {
      const wrong = items.find((i) => !i.right);
      if (wrong) {
        return rule(
          'BANK_SHORTANSWER_ITEM',
          'short-answer items are accepted answers, each written "- [x]"',
          '填空题的每一项都是可接受的答案，须写作“- [x]”',
          wrong.line,
        );
      }
      if (items.length === 0) {
        return rule(
          'BANK_TOO_FEW_CHOICES',
          'a short-answer question needs at least one "- [x]" accepted answer',
          '填空题至少需要一个“- [x]”可接受答案',
        );
      }
      return { choices: items.map((i) => choice(i, 100)), caseSensitive: attrs.caseSensitive };
    }
    case 'matching':
      if (items.length < MIN_MATCHING_PAIRS) {
        return rule(
          'BANK_TOO_FEW_PAIRS',
          `a matching question needs at least ${MIN_MATCHING_PAIRS} "- left => right" pairs`,
          `配对题至少需要 ${MIN_MATCHING_PAIRS} 组“- 左项 => 右项”`,
        );
      }
      return { pairs: items.map((i) => ({ left: i.left ?? '', right: i.text })) };
    case 'truefalse':
      if (attrs.answer !== 'true' && attrs.answer !== 'false') {
        return rule(
          attrs.answer === undefined ? 'BANK_ANSWER_MISSING' : 'BANK_ANSWER_INVALID',
          'a true/false question needs "answer: true" or "answer: false"',
          '判断题须写明“answer: true”或“answer: false”',
          attrs.answerLine,
        );
      }
      return { answer: attrs.answer === 'true' };
    case 'numerical': {
      const value = Number(attrs.answer);
      if (attrs.answer === undefined || !NUMBER.test(attrs.answer) || !Number.isFinite(value)) {
        return rule(
          attrs.answer === undefined ? 'BANK_ANSWER_MISSING' : 'BANK_ANSWER_INVALID',
          'a numerical question needs "answer:" with a number such as 42 or 3.5',
          '数值题须写明“answer:”，值为数字，例如 42 或 3.5',
          attrs.answerLine,
        );
      }
      return { numeric: [{ value, tolerance: attrs.tolerance, weight: 100 }] };
    }
  }
}

function trimBlankLines(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && lines[start].trim() === '') {
    start++;
  }
  while (end > start && lines[end - 1].trim() === '') {
    end--;
  }
  return lines.slice(start, end);
}
