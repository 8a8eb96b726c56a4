import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseBankMarkdown } from './bank-markdown.parser';
import { BankParseResult } from './bank-markdown.types';

const FRONT_MATTER = [
  '---',
  'slug: neighbour-mediation',
  'name: 邻里纠纷调解题库',
  'nameEn: Neighbour mediation question bank',
  'course: neighbour-mediation',
  'quizzes:',
  '  - slug: neighbour-mediation-final',
  '    title: 结业测验',
  '    titleEn: Final test',
  '    passMark: 60',
  '    review: feedback',
  '---',
  '',
].join('\n');

const SINGLE = [
  '## 接到邻里噪音投诉后，调解员首先应当做什么？',
  'type: single',
  'tags: [mediating, lesson-1]',
  'difficulty: easy',
  '',
  '- [ ] 立即上门批评制造噪音的一方',
  '  > 先下结论会让对方抵触，调解难以继续。',
  '- [x] 分别听取双方陈述，了解事实经过',
  '  > 对。先听后判，事实清楚是调解的基础。',
  '- [ ] 直接报警处理',
  '',
  '> 调解的第一步是了解事实：分别倾听，不急于表态。',
  '',
].join('\n');

const bank = (body: string, front = FRONT_MATTER): string => `${front}\n${body}`;

/** 1-based line of the first line of `source` that contains `needle`. */
const lineOf = (source: string, needle: string, from = 0): number => {
  const index = source.split('\n').findIndex((l, i) => i >= from && l.includes(needle));
  if (index < 0) {
    throw new Error(`"${needle}" not in source`);
  }
  return index + 1;
};

const parseOne = (body: string) => {
  const result = parseBankMarkdown(bank(body));
  expect(result.errors).toEqual([]);
  expect(result.questions).toHaveLength(1);
  return result.questions[0];
};

const codes = (result: BankParseResult) => result.errors.map((e) => [e.code, e.line]);

describe(parseBankMarkdown.name, () => {
  describe('the README example', () => {
    // The example in content/README.md is the format's specification; keep this spec in step with it.
    const readme = readFileSync(path.resolve(__dirname, '../../../content/README.md'), 'utf8');
    const example = /## Question bank[\s\S]*?```markdown\n([\s\S]*?)\n```/.exec(readme)?.[1] ?? '';
    // The final test draws 10 questions, so the example bank needs 9 more than the one it shows.
    const more = Array.from(
      { length: 9 },
      (_, i) =>
        `\n## 第 ${i + 2} 题：居委会是基层群众性自治组织。\ntype: truefalse\nanswer: true\n`,
    ).join('');
    const result = parseBankMarkdown(`${example}\n${more}`, 'content/banks/neighbour-mediation.md');

    it('reads without errors', () => {
      expect(example).not.toBe('');
      expect(result.errors).toEqual([]);
    });

    it('validates the front matter into meta, applying defaults', () => {
      expect(result.meta).toEqual({
        slug: 'neighbour-mediation',
        name: '邻里纠纷调解题库',
        nameEn: 'Neighbour mediation question bank',
        course: 'neighbour-mediation',
        quizzes: [
          {
            slug: 'neighbour-mediation-final',
            title: '结业测验',
            titleEn: 'Final test',
            questionCount: 10,
            tags: [],
            passMark: 60,
            timeLimitMinutes: 20,
            attemptsAllowed: 3,
            shuffle: true,
            review: 'feedback',
          },
          {
            slug: 'neighbour-mediation-practice-1',
            title: '第1课 练习',
            titleEn: 'Lesson 1 practice',
            lesson: '01-listen-to-each-side',
            tags: ['lesson-1'],
            passMark: 60,
            shuffle: false,
            review: 'feedback',
          },
        ],
      });
    });

    it('reads the question with its line, weights, feedback and general feedback', () => {
      expect(result.questions[0]).toEqual({
        line: lineOf(example, '## 接到'),
        type: 'single',
        text: '接到邻里噪音投诉后，调解员首先应当做什么？',
        textFormat: 'markdown',
        tags: ['mediating', 'lesson-1'],
        difficulty: 'easy',
        choices: [
          {
            text: '立即上门批评制造噪音的一方',
            weight: 0,
            feedback: '先下结论会让对方抵触，调解难以继续。',
          },
          {
            text: '分别听取双方陈述，了解事实经过',
            weight: 100,
            feedback: '对。先听后判，事实清楚是调解的基础。',
          },
          { text: '直接报警处理', weight: 0 },
        ],
        generalFeedback: '调解的第一步是了解事实：分别倾听，不急于表态。',
      });
    });
  });

  describe('question types', () => {
    it('gives each right choice of a multiple-choice question 100/(number right) and each wrong one the same taken away', () => {
      const q = parseOne(
        '## 哪些属于矛盾调解？\ntype: multiple\n\n- [x] 甲\n- [X] 乙\n- [ ] 丙\n- [x] 丁\n',
      );
      expect(q.choices?.map((c) => c.weight)).toEqual([100 / 3, 100 / 3, -100 / 3, 100 / 3]);
    });

    it('reads every short-answer item as an accepted answer at full credit, case-insensitive by default', () => {
      const q = parseOne(
        '## 政务服务便民热线是？\ntype: shortanswer\n\n- [x] 12345\n- [x] 12345热线\n  > 对\n',
      );
      expect(q).toMatchObject({
        type: 'shortanswer',
        caseSensitive: false,
        choices: [
          { text: '12345', weight: 100 },
          { text: '12345热线', weight: 100, feedback: '对' },
        ],
      });
    });

    it('reads caseSensitive: true on a short answer', () => {
      expect(
        parseOne('## Q\ntype: shortanswer\ncaseSensitive: true\n\n- [x] WiFi\n').caseSensitive,
      ).toBe(true);
    });

    it.each([
      ['true', true],
      ['false', false],
    ])('reads a true/false question with answer: %s', (value, answer) => {
      expect(parseOne(`## 居委会是自治组织。\ntype: truefalse\nanswer: ${value}\n`)).toMatchObject({
        type: 'truefalse',
        answer,
      });
    });

    it('reads a numerical answer with its tolerance', () => {
      const q = parseOne('## 调解协议一般几份？\ntype: numerical\nanswer: 3\ntolerance: 0.5\n');
      expect(q.numeric).toEqual([{ value: 3, tolerance: 0.5, weight: 100 }]);
    });

    it('gives a numerical answer a tolerance of 0 by default', () => {
      expect(parseOne('## Q\ntype: numerical\nanswer: -2.5\n').numeric).toEqual([
        { value: -2.5, tolerance: 0, weight: 100 },
      ]);
    });

    it('reads matching pairs written "- left => right"', () => {
      const q = parseOne(
        '## 连线\ntype: matching\n\n- 群众工作 => mass_work\n- 组织动员=>organising\n- 矛盾调解 => mediating\n',
      );
      expect(q.pairs).toEqual([
        { left: '群众工作', right: 'mass_work' },
        { left: '组织动员', right: 'organising' },
        { left: '矛盾调解', right: 'mediating' },
      ]);
    });
  });

  describe('question text and feedback', () => {
    it('adds the stem markdown after the attribute lines to the heading', () => {
      const q = parseOne(
        '## 阅读材料后回答。\ntype: truefalse\nanswer: true\n\n某社区发生纠纷：\n\n- 甲方称……\n- 乙方称……\n',
      );
      expect(q.text).toBe('阅读材料后回答。\n\n某社区发生纠纷：\n\n- 甲方称……\n- 乙方称……');
    });

    it('does not start a new question at a "## " line inside a fenced code block', () => {
      const q = parseOne(
        '## 下列配置中哪一行是标题？\ntype: single\n\n```\n## 标题\n```\n\n- [x] 第一行\n- [ ] 第二行\n',
      );
      expect(q.text).toBe('下列配置中哪一行是标题？\n\n```\n## 标题\n```');
    });

    it('reports a code block that is never closed', () => {
      const body =
        '## Q\ntype: truefalse\nanswer: true\n\n```\n## Q2\ntype: truefalse\nanswer: false\n';
      expect(codes(parseBankMarkdown(bank(body)))).toEqual([
        ['BANK_FENCE_NOT_CLOSED', lineOf(bank(body), '```')],
      ]);
    });

    it('reads a title attribute', () => {
      expect(parseOne('## Q\ntype: truefalse\ntitle: 自治组织\nanswer: true\n').title).toBe(
        '自治组织',
      );
    });

    it('joins several "> " lines of a choice feedback and of the general feedback', () => {
      const q = parseOne(
        '## Q\ntype: single\n\n- [x] 甲\n  > 第一行\n  >\n  > 第二段\n- [ ] 乙\n\n> 总体\n> 反馈\n',
      );
      expect(q.choices?.[0].feedback).toBe('第一行\n\n第二段');
      expect(q.generalFeedback).toBe('总体\n反馈');
    });

    it('continues a choice on an indented line', () => {
      const q = parseOne('## Q\ntype: single\n\n- [x] 第一行\n  第二行\n- [ ] 乙\n');
      expect(q.choices?.[0].text).toBe('第一行\n第二行');
    });

    it('reads Windows line endings', () => {
      const result = parseBankMarkdown(bank(SINGLE).replace(/\n/g, '\r\n'));
      expect(result.errors).toEqual([]);
      expect(result.questions[0].choices).toHaveLength(3);
    });
  });

  describe('question rules', () => {
    const errorsOf = (body: string) => codes(parseBankMarkdown(bank(body)));
    const at = (body: string, needle: string) => lineOf(bank(body), needle);

    it('reports a single-choice question with two right choices', () => {
      const body = '## Q\ntype: single\n\n- [x] a\n- [x] b\n';
      expect(errorsOf(body)).toEqual([['BANK_SINGLE_RIGHT_COUNT', at(body, '## Q')]]);
    });

    it('reports a single-choice question with no right choice', () => {
      expect(errorsOf('## Q\ntype: single\n\n- [ ] a\n- [ ] b\n')[0][0]).toBe(
        'BANK_SINGLE_RIGHT_COUNT',
      );
    });

    it('reports a single-choice question with one choice', () => {
      expect(errorsOf('## Q\ntype: single\n\n- [x] a\n')[0][0]).toBe('BANK_TOO_FEW_CHOICES');
    });

    it('reports a multiple-choice question with no right choice', () => {
      expect(errorsOf('## Q\ntype: multiple\n\n- [ ] a\n- [ ] b\n')[0][0]).toBe(
        'BANK_NO_RIGHT_CHOICE',
      );
    });

    it('reports a matching question with fewer than 3 pairs', () => {
      expect(errorsOf('## Q\ntype: matching\n\n- a => 1\n- b => 2\n')[0][0]).toBe(
        'BANK_TOO_FEW_PAIRS',
      );
    });

    it('reports a true/false question without an answer', () => {
      expect(errorsOf('## Q\ntype: truefalse\n')[0][0]).toBe('BANK_ANSWER_MISSING');
    });

    it('reports a true/false answer that is neither true nor false with its line', () => {
      const body = '## Q\ntype: truefalse\nanswer: yes\n';
      expect(errorsOf(body)).toEqual([['BANK_ANSWER_INVALID', at(body, 'answer: yes')]]);
    });

    it.each(['abc', 'Infinity', '1e999', ''])(
      'reports a numerical answer "%s" that is not a finite number',
      (value) => {
        const body = `## Q\ntype: numerical\nanswer: ${value}\n`;
        expect(errorsOf(body)).toEqual([['BANK_ANSWER_INVALID', at(body, 'answer:')]]);
      },
    );

    it('reports a numerical question without an answer', () => {
      expect(errorsOf('## Q\ntype: numerical\n')[0][0]).toBe('BANK_ANSWER_MISSING');
    });

    it('reports a negative tolerance', () => {
      const body = '## Q\ntype: numerical\nanswer: 3\ntolerance: -1\n';
      expect(errorsOf(body)).toEqual([['BANK_ATTRIBUTE_INVALID', at(body, 'tolerance')]]);
    });

    it('reports an unknown attribute key with its line', () => {
      const body = '## Q\ntype: truefalse\nanswer: true\npoints: 2\n';
      expect(errorsOf(body)).toEqual([['BANK_ATTRIBUTE_UNKNOWN', at(body, 'points')]]);
    });

    it('reports an attribute that does not apply to the type', () => {
      const body = '## Q\ntype: single\ntolerance: 1\n\n- [x] a\n- [ ] b\n';
      expect(errorsOf(body)).toEqual([['BANK_ATTRIBUTE_NOT_FOR_TYPE', at(body, 'tolerance')]]);
    });

    it('reports an attribute given twice', () => {
      const body = '## Q\ntype: truefalse\nanswer: true\nanswer: false\n';
      expect(errorsOf(body)).toEqual([['BANK_ATTRIBUTE_DUPLICATE', at(body, 'answer: false')]]);
    });

    it('reports a missing type at the heading line', () => {
      const body = '## Q\ntags: [a]\n';
      expect(errorsOf(body)).toEqual([['BANK_TYPE_MISSING', at(body, '## Q')]]);
    });

    it('reports an unsupported type such as essay', () => {
      const body = '## Q\ntype: essay\n';
      expect(errorsOf(body)).toEqual([['BANK_ATTRIBUTE_INVALID', at(body, 'type: essay')]]);
    });

    it.each(['very-hard', 'Easy'])('reports the difficulty "%s"', (value) => {
      expect(errorsOf(`## Q\ntype: truefalse\nanswer: true\ndifficulty: ${value}\n`)[0][0]).toBe(
        'BANK_ATTRIBUTE_INVALID',
      );
    });

    it.each(['mediating', '[Mediating]', '[lesson 1]'])('reports tags written %s', (value) => {
      expect(errorsOf(`## Q\ntype: truefalse\nanswer: true\ntags: ${value}\n`)[0][0]).toBe(
        'BANK_ATTRIBUTE_INVALID',
      );
    });

    it('accepts Chinese tags and an empty tag list', () => {
      expect(
        parseOne('## Q\ntype: truefalse\nanswer: true\ntags: [调解, acting_by_law]\n').tags,
      ).toEqual(['调解', 'acting_by_law']);
      expect(parseOne('## Q\ntype: truefalse\nanswer: true\ntags: []\n').tags).toEqual([]);
    });

    it('reports text right under the heading that is not an attribute', () => {
      const body = '## Q\n这是题干的续行\ntype: truefalse\nanswer: true\n';
      expect(errorsOf(body)).toEqual([['BANK_ATTRIBUTE_SYNTAX', at(body, '这是')]]);
    });

    it('reports a "- [ ]" item in a short-answer question', () => {
      const body = '## Q\ntype: shortanswer\n\n- [x] a\n- [ ] b\n';
      expect(errorsOf(body)).toEqual([['BANK_SHORTANSWER_ITEM', at(body, '- [ ] b')]]);
    });

    it('reports a choice that appears twice', () => {
      const body = '## Q\ntype: multiple\n\n- [x] a\n- [ ] b\n- [x] a\n';
      const last = bank(body).split('\n').lastIndexOf('- [x] a') + 1;
      expect(errorsOf(body)).toEqual([['BANK_DUPLICATE_CHOICE', last]]);
    });

    it('reports an empty choice', () => {
      const body = '## Q\ntype: single\n\n- [x]\n- [ ] b\n';
      expect(errorsOf(body)).toEqual([['BANK_EMPTY_CHOICE', at(body, '- [x]')]]);
    });

    it('reports text after the choices that is neither a choice nor the general feedback', () => {
      const body = '## Q\ntype: single\n\n- [x] a\n- [ ] b\n\n补充说明\n\n> 反馈\n';
      expect(errorsOf(body)).toEqual([['BANK_UNEXPECTED_LINE', at(body, '补充说明')]]);
    });

    it('reports choices under a true/false question', () => {
      const body = '## Q\ntype: truefalse\nanswer: true\n\n- [x] 对\n';
      expect(errorsOf(body)).toEqual([['BANK_UNEXPECTED_CHOICE', at(body, '- [x]')]]);
    });

    it('reports an empty heading', () => {
      expect(errorsOf('##\ntype: truefalse\nanswer: true\n')[0][0]).toBe('BANK_EMPTY_STEM');
    });

    it('reports text before the first question', () => {
      const body = `# 题库\n\n${SINGLE}`;
      expect(errorsOf(body)).toEqual([['BANK_STRAY_TEXT', at(body, '# 题库')]]);
    });

    it('reads the other questions when one is wrong', () => {
      const result = parseBankMarkdown(
        bank(`## Bad\ntype: single\n\n- [ ] a\n- [ ] b\n\n${SINGLE}`),
      );
      expect(result.errors).toHaveLength(1);
      expect(result.questions.map((q) => q.text)).toEqual([
        '接到邻里噪音投诉后，调解员首先应当做什么？',
      ]);
    });

    it('reports a bank with no questions', () => {
      expect(codes(parseBankMarkdown(FRONT_MATTER))).toEqual([['BANK_NO_QUESTIONS', 13]]);
    });
  });

  describe('front matter', () => {
    const withFront = (lines: string[]) => bank(SINGLE, ['---', ...lines, '---', ''].join('\n'));
    const base = [
      'slug: neighbour-mediation',
      'name: 邻里纠纷调解题库',
      'nameEn: Neighbour mediation question bank',
      'course: neighbour-mediation',
      'quizzes:',
      '  - slug: final',
      '    title: 结业测验',
      '    titleEn: Final test',
      '    passMark: 60',
      '    review: feedback',
    ];
    const replace = (from: string, to: string[]) =>
      base.flatMap((line) => (line.startsWith(from) ? to : [line]));
    const check = (lines: string[]) => {
      const source = withFront(lines);
      return { source, result: parseBankMarkdown(source) };
    };

    it('reports a file without front matter at line 1 and still reads the questions', () => {
      const result = parseBankMarkdown(SINGLE);
      expect(codes(result)).toEqual([['BANK_FRONT_MATTER_MISSING', 1]]);
      expect(result.meta).toBeNull();
      expect(result.questions).toHaveLength(1);
    });

    it('reports front matter with no closing line', () => {
      const result = parseBankMarkdown(`---\nslug: a\n\n${SINGLE}`);
      expect(codes(result)).toEqual([['BANK_FRONT_MATTER_NOT_CLOSED', 1]]);
      expect(result.meta).toBeNull();
    });

    it('reports a YAML syntax error at its line in the file', () => {
      const { source, result } = check(replace('    titleEn', ['    titleEn: Step one: listen']));
      expect(codes(result)).toEqual([['BANK_YAML', lineOf(source, 'Step one')]]);
      expect(result.meta).toBeNull();
    });

    it('reports a duplicated key at its line', () => {
      const { source, result } = check([...base, 'name: again']);
      expect(codes(result)).toEqual([['BANK_YAML', lineOf(source, 'name: again')]]);
    });

    it('reports an unknown key at its line', () => {
      const { source, result } = check([...base.slice(0, 4), 'author: 张三', ...base.slice(4)]);
      expect(codes(result)).toEqual([['BANK_META_UNKNOWN_KEY', lineOf(source, 'author')]]);
      expect(result.meta).toBeNull();
    });

    it('reports an unknown quiz key at its line', () => {
      const { source, result } = check([...base, '    randomise: true']);
      expect(codes(result)).toEqual([['BANK_META_UNKNOWN_KEY', lineOf(source, 'randomise')]]);
    });

    it('reports a missing required key', () => {
      const { result } = check(base.filter((l) => !l.startsWith('nameEn')));
      expect(codes(result)).toEqual([['BANK_META_MISSING_KEY', 1]]);
      expect(result.errors[0].message).toContain('nameEn');
    });

    it('reports a missing required quiz key at the quiz line', () => {
      const { source, result } = check(base.filter((l) => !l.includes('review')));
      expect(codes(result)).toEqual([['BANK_META_MISSING_KEY', lineOf(source, '- slug: final')]]);
    });

    it.each([
      ['slug:', 'slug: Neighbour_Mediation'],
      ['course:', 'course: 邻里'],
      ['  - slug', '  - slug: final test'],
    ])('reports a slug that is not lower-case letters, digits and hyphens (%s)', (from, to) => {
      const { source, result } = check(replace(from, [to]));
      expect(codes(result)).toEqual([['BANK_META_INVALID', lineOf(source, to)]]);
    });

    it.each(['120', '-1', '"60"'])('reports passMark %s', (value) => {
      const { source, result } = check(replace('    passMark', [`    passMark: ${value}`]));
      expect(codes(result)).toEqual([['BANK_META_INVALID', lineOf(source, 'passMark')]]);
    });

    it('accepts passMark 0 and 100', () => {
      for (const value of [0, 100]) {
        expect(check(replace('    passMark', [`    passMark: ${value}`])).result.errors).toEqual(
          [],
        );
      }
    });

    it.each([
      ['    review: everything'],
      ['    lesson: lesson-one'],
      ['    questionCount: 0'],
      ['    questionCount: 2.5'],
      ['    timeLimitMinutes: 0'],
      ['    attemptsAllowed: many'],
      ['    shuffle: yes'],
      ['    tags: lesson-1'],
      ['    tags: [Lesson 1]'],
      ['    title: 123'],
    ])('reports the invalid quiz value "%s" at its line', (line) => {
      const key = line.trim().split(':')[0];
      const { source, result } = check([...base.filter((l) => !l.startsWith(`    ${key}:`)), line]);
      expect(codes(result)).toEqual([['BANK_META_INVALID', lineOf(source, line)]]);
      expect(result.meta).toBeNull();
    });

    it('reports quizzes that are not a list', () => {
      const { source, result } = check([...base.slice(0, 4), 'quizzes: final']);
      expect(codes(result)).toEqual([['BANK_META_INVALID', lineOf(source, 'quizzes')]]);
    });

    it('reports two quizzes with the same slug', () => {
      const { source, result } = check([...base, ...base.slice(5)]);
      expect(codes(result)).toEqual([['BANK_QUIZ_DUPLICATE', lineOf(source, '- slug: final', 8)]]);
    });

    it('reports a slug that differs from the file name', () => {
      const result = parseBankMarkdown(withFront(base), 'banks/other-bank.md');
      expect(codes(result)).toEqual([['BANK_SLUG_MISMATCH', 2]]);
    });

    it('reports a quiz tag that no question carries', () => {
      const { source, result } = check([...base, '    tags: [lesson-9]']);
      expect(codes(result)).toEqual([['BANK_QUIZ_TAG_UNUSED', lineOf(source, 'lesson-9')]]);
      expect(result.meta).not.toBeNull();
    });

    it('reports a quiz that draws more questions than match its tags', () => {
      const { source, result } = check([...base, '    questionCount: 2']);
      expect(codes(result)).toEqual([
        ['BANK_QUIZ_COUNT_TOO_HIGH', lineOf(source, 'questionCount')],
      ]);
    });

    it('leaves optional quiz keys out and defaults tags to [] and shuffle to false', () => {
      const { result } = check(base);
      expect(result.meta?.quizzes).toEqual([
        {
          slug: 'final',
          title: '结业测验',
          titleEn: 'Final test',
          tags: [],
          passMark: 60,
          shuffle: false,
          review: 'feedback',
        },
      ]);
    });

    it('gives every error an English and a Chinese message', () => {
      const { result } = check(replace('    passMark', ['    passMark: 120']));
      expect(result.errors[0].message).toContain('passMark');
      expect(result.errors[0].messageZh).toMatch(/[\u4e00-\u9fff]/);
    });
  });
});
