import { checkBankQuizzes, readBankFrontMatter } from './bank-front-matter.parser';
import { BankReport } from './bank-markdown.syntax';
import { BankParseResult } from './bank-markdown.types';
import { readBankQuestions } from './bank-questions.parser';
import { FormatError } from './question.types';

// The format is specified in content/README.md, section "Question bank". Every problem is reported with
// its file line, and one bad question does not stop the others from being read.

export function parseBankMarkdown(source: string, fileName?: string): BankParseResult {
  const errors: FormatError[] = [];
  const report: BankReport = (line, code, message, messageZh) => {
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
    return { meta: null, questions: readBankQuestions(lines, 0, report).questions, errors };
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

  const read = readBankFrontMatter(lines.slice(1, close).join('\n'), report);
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
  const { questions, blocks } = readBankQuestions(lines, close + 1, report);
  if (read) {
    checkBankQuizzes(read, questions, report);
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
