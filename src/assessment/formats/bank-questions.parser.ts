import { BANK_NUMBER, BANK_TAG, BankReport } from './bank-markdown.syntax';
import {
  DIFFICULTIES,
  Difficulty,
  ParsedChoice,
  ParsedQuestion,
  QUESTION_TYPES,
  QuestionType,
} from './question.types';

// The body of a bank file: one question per `## ` heading, its attribute lines, then stem markdown,
// choices or pairs, and a closing blockquote of general feedback.

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

interface Line {
  text: string;
  line: number;
}

export function readBankQuestions(
  lines: string[],
  from: number,
  report: BankReport,
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

function readQuestion(heading: Line, body: Line[], report: BankReport): ParsedQuestion | undefined {
  let ok = true;
  const fail: BankReport = (...args) => {
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
  fail: BankReport,
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
        if (BANK_NUMBER.test(value) && Number(value) >= 0 && Number.isFinite(Number(value))) {
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

function readContent(type: QuestionType, lines: Line[], fail: BankReport): Content {
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
  fail: BankReport,
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
      if (
        attrs.answer === undefined ||
        !BANK_NUMBER.test(attrs.answer) ||
        !Number.isFinite(value)
      ) {
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
