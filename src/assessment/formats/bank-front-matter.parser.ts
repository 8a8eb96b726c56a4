import { isMap, isNode, isScalar, isSeq, LineCounter, Pair, parseDocument, YAMLMap } from 'yaml';
import { BANK_LESSON, BANK_SLUG, BANK_TAG, BankReport } from './bank-markdown.syntax';
import { BankFileMeta, BankQuizMeta, QUIZ_REVIEWS, QuizReview } from './bank-markdown.types';
import { ParsedQuestion } from './question.types';

// The YAML front matter of a bank file: every key is checked, and every problem is reported at the line
// of the file where it sits.

interface QuizLines {
  item: number;
  tags: number;
  questionCount: number;
}

export interface BankFrontMatter {
  meta: BankFileMeta;
  lines: { slug: number; quizzes: QuizLines[] };
}

export function readBankFrontMatter(
  yamlText: string,
  report: BankReport,
): BankFrontMatter | undefined {
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
  const fail: BankReport = (...args) => {
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
    private readonly fail: BankReport,
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

export function checkBankQuizzes(
  read: BankFrontMatter,
  questions: ParsedQuestion[],
  report: BankReport,
): void {
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
