import { Document, isSeq } from 'yaml';
import { BankFileMeta } from './bank-markdown.types';
import { ParsedChoice, ParsedQuestion } from './question.types';

// Writes the format of content/README.md ("Question bank"), so that parseBankMarkdown gives the same
// meta and questions back. The format holds less than the shared model; when a question came from GIFT,
// what it cannot say is left out: category, textFormat, true/false feedback, partial-credit and
// wildcard short answers (only 100% answers are kept), numerical answers after the first 100% one,
// matching distractors, and a stem's soft line breaks inside its first paragraph (the heading).

export class BankSerializeError extends Error {}

export function serializeBankMarkdown(meta: BankFileMeta, questions: ParsedQuestion[]): string {
  return `---\n${frontMatter(meta)}---\n\n${questions.map(writeQuestion).join('\n\n')}\n`;
}

function frontMatter(meta: BankFileMeta): string {
  const doc = new Document({
    slug: meta.slug,
    name: meta.name,
    nameEn: meta.nameEn,
    course: meta.course,
    quizzes: meta.quizzes.map((quiz) => ({
      slug: quiz.slug,
      title: quiz.title,
      titleEn: quiz.titleEn,
      ...(quiz.lesson !== undefined ? { lesson: quiz.lesson } : {}),
      ...(quiz.questionCount !== undefined ? { questionCount: quiz.questionCount } : {}),
      tags: quiz.tags,
      passMark: quiz.passMark,
      ...(quiz.timeLimitMinutes !== undefined ? { timeLimitMinutes: quiz.timeLimitMinutes } : {}),
      ...(quiz.attemptsAllowed !== undefined ? { attemptsAllowed: quiz.attemptsAllowed } : {}),
      shuffle: quiz.shuffle,
      review: quiz.review,
    })),
  });
  // Tags as `[a, b]`, as the README writes them.
  meta.quizzes.forEach((_, index) => {
    const tags = doc.getIn(['quizzes', index, 'tags'], true);
    if (isSeq(tags)) {
      tags.flow = true;
    }
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

function writeQuestion(q: ParsedQuestion): string {
  const paragraphBreak = /\n[ \t]*\n/.exec(q.text);
  const heading = (paragraphBreak ? q.text.slice(0, paragraphBreak.index) : q.text)
    .split('\n')
    .map((l) => l.trim())
    .join(' ')
    .trim();
  if (heading === '') {
    throw new BankSerializeError(`question at line ${q.line}: its text cannot be empty`);
  }
  const extra = paragraphBreak
    ? q.text
        .slice(paragraphBreak.index + paragraphBreak[0].length)
        .replace(/^([ \t]*\n)+/, '')
        .trimEnd()
    : '';

  const attributes = [`type: ${q.type}`];
  if (q.title) {
    attributes.push(`title: ${oneLine(q.title)}`);
  }
  if (q.tags.length > 0) {
    attributes.push(`tags: [${q.tags.join(', ')}]`);
  }
  if (q.difficulty) {
    attributes.push(`difficulty: ${q.difficulty}`);
  }
  attributes.push(...typeAttributes(q));

  const parts = [`## ${heading}\n${attributes.join('\n')}`];
  if (extra !== '') {
    parts.push(extra);
  }
  const items = itemLines(q);
  if (items.length > 0) {
    parts.push(items.join('\n'));
  }
  if (q.generalFeedback) {
    parts.push(quote(q.generalFeedback, ''));
  }
  return parts.join('\n\n');
}

function typeAttributes(q: ParsedQuestion): string[] {
  switch (q.type) {
    case 'truefalse':
      return [`answer: ${q.answer === true}`];
    case 'numerical': {
      const answer = q.numeric?.find((n) => n.weight === 100);
      if (!answer) {
        throw new BankSerializeError(
          `question at line ${q.line}: a numerical answer worth 100% is needed`,
        );
      }
      return [
        `answer: ${answer.value}`,
        ...(answer.tolerance ? [`tolerance: ${answer.tolerance}`] : []),
      ];
    }
    case 'shortanswer':
      return q.caseSensitive ? ['caseSensitive: true'] : [];
    default:
      return [];
  }
}

function itemLines(q: ParsedQuestion): string[] {
  const choices = q.choices ?? [];
  switch (q.type) {
    case 'single':
      return choices.map((c) => choiceItem(c, c.weight === 100));
    case 'multiple':
      return choices.map((c) => choiceItem(c, c.weight > 0));
    case 'shortanswer':
      return choices.filter((c) => c.weight === 100).map((c) => choiceItem(c, true));
    case 'matching':
      return (q.pairs ?? [])
        .filter((p) => p.left !== '')
        .map((p) => {
          if (p.left.includes('=>')) {
            throw new BankSerializeError(
              `question at line ${q.line}: a left side cannot hold "=>"`,
            );
          }
          return `- ${oneLine(p.left)} => ${oneLine(p.right)}`;
        });
    default:
      return [];
  }
}

function choiceItem(choice: ParsedChoice, right: boolean): string {
  const [first, ...more] = choice.text.split('\n');
  const lines = [`- [${right ? 'x' : ' '}] ${first}`, ...more.map((l) => `  ${l}`)];
  if (choice.feedback) {
    lines.push(quote(choice.feedback, '  '));
  }
  return lines.join('\n');
}

function quote(text: string, indent: string): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? `${indent}>` : `${indent}> ${l}`))
    .join('\n');
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}
