import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseBankMarkdown } from './bank-markdown.parser';
import { BankSerializeError, serializeBankMarkdown } from './bank-markdown.serializer';
import { BankFileMeta } from './bank-markdown.types';
import { parseGift } from './gift.parser';
import { ParsedQuestion } from './question.types';

const meta = (overrides: Partial<BankFileMeta> = {}): BankFileMeta => ({
  slug: 'neighbour-mediation',
  name: '邻里纠纷调解题库',
  nameEn: 'Neighbour mediation question bank',
  course: 'neighbour-mediation',
  quizzes: [
    {
      slug: 'neighbour-mediation-final',
      title: '结业测验',
      titleEn: 'Final test: all lessons',
      questionCount: 5,
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
      tags: ['lesson-1', 'mediating'],
      passMark: 0,
      shuffle: false,
      review: 'score_only',
    },
  ],
  ...overrides,
});

const question = (overrides: Partial<ParsedQuestion>): ParsedQuestion => ({
  line: 1,
  type: 'truefalse',
  text: '居委会是基层群众性自治组织。',
  textFormat: 'markdown',
  tags: [],
  answer: true,
  ...overrides,
});

const withoutLines = (questions: ParsedQuestion[]) =>
  questions.map(({ line: _line, ...rest }) => rest);

const sample: ParsedQuestion[] = [
  question({
    type: 'single',
    answer: undefined,
    title: '第一步',
    text: '接到邻里噪音投诉后，调解员首先应当做什么？\n\n阅读材料：\n\n- 甲方称……\n- 乙方称……',
    tags: ['mediating', 'lesson-1'],
    difficulty: 'easy',
    choices: [
      {
        text: '立即上门批评制造噪音的一方',
        weight: 0,
        feedback: '先下结论会让对方抵触。\n\n调解难以继续。',
      },
      { text: '分别听取双方陈述，了解事实经过', weight: 100, feedback: '对。' },
      { text: '直接报警处理\n（第二行）', weight: 0 },
    ],
    generalFeedback: '调解的第一步是了解事实。\n\n分别倾听，不急于表态。',
  }),
  question({
    type: 'multiple',
    answer: undefined,
    text: '哪些属于矛盾调解的原则？',
    tags: ['mediating'],
    choices: [
      { text: '自愿', weight: 50 },
      { text: '合法', weight: 50 },
      { text: '强制', weight: -50, feedback: '调解不能强制。' },
    ],
  }),
  question({ answer: false, difficulty: 'hard', tags: ['lesson-1'] }),
  question({
    type: 'shortanswer',
    answer: undefined,
    text: '政务服务便民热线的号码是 ____。',
    caseSensitive: false,
    choices: [
      { text: '12345', weight: 100, feedback: '对' },
      { text: '12345热线', weight: 100 },
    ],
  }),
  question({
    type: 'shortanswer',
    answer: undefined,
    text: 'Wi-Fi 的正确写法？',
    caseSensitive: true,
    choices: [{ text: 'Wi-Fi', weight: 100 }],
  }),
  question({
    type: 'numerical',
    answer: undefined,
    text: '调解协议书一般一式几份？',
    numeric: [{ value: 3, tolerance: 0.5, weight: 100 }],
  }),
  question({
    type: 'numerical',
    answer: undefined,
    text: '零度以下',
    numeric: [{ value: -2.25, tolerance: 0, weight: 100 }],
  }),
  question({
    type: 'matching',
    answer: undefined,
    text: '把能力与英文代码连起来。',
    pairs: [
      { left: '群众工作', right: 'mass_work' },
      { left: '组织动员', right: 'organising' },
      { left: '矛盾调解', right: 'mediating' },
      { left: '依法办事', right: 'mediating' },
    ],
  }),
];

describe(serializeBankMarkdown.name, () => {
  it('writes meta and questions that parseBankMarkdown reads back the same (round trip)', () => {
    const result = parseBankMarkdown(
      serializeBankMarkdown(meta(), sample),
      'neighbour-mediation.md',
    );
    expect(result.errors).toEqual([]);
    expect(result.meta).toEqual(meta());
    expect(withoutLines(result.questions)).toEqual(withoutLines(sample));
  });

  it('writes the README example back so that it reads the same', () => {
    const readme = readFileSync(path.resolve(__dirname, '../../../content/README.md'), 'utf8');
    const example = /## Question bank[\s\S]*?```markdown\n([\s\S]*?)\n```/.exec(readme)?.[1] ?? '';
    const first = parseBankMarkdown(example);
    expect(first.meta).not.toBeNull();
    const again = parseBankMarkdown(serializeBankMarkdown(first.meta!, first.questions));
    expect(again.meta).toEqual(first.meta);
    expect(withoutLines(again.questions)).toEqual(withoutLines(first.questions));
    expect(again.errors.map((e) => e.code)).toEqual(first.errors.map((e) => e.code));
  });

  it('writes the layout of the README', () => {
    const text = serializeBankMarkdown(meta({ quizzes: [] }), [sample[0]]);
    expect(text).toBe(
      [
        '---',
        'slug: neighbour-mediation',
        'name: 邻里纠纷调解题库',
        'nameEn: Neighbour mediation question bank',
        'course: neighbour-mediation',
        'quizzes: []',
        '---',
        '',
        '## 接到邻里噪音投诉后，调解员首先应当做什么？',
        'type: single',
        'title: 第一步',
        'tags: [mediating, lesson-1]',
        'difficulty: easy',
        '',
        '阅读材料：',
        '',
        '- 甲方称……',
        '- 乙方称……',
        '',
        '- [ ] 立即上门批评制造噪音的一方',
        '  > 先下结论会让对方抵触。',
        '  >',
        '  > 调解难以继续。',
        '- [x] 分别听取双方陈述，了解事实经过',
        '  > 对。',
        '- [ ] 直接报警处理',
        '  （第二行）',
        '',
        '> 调解的第一步是了解事实。',
        '>',
        '> 分别倾听，不急于表态。',
        '',
      ].join('\n'),
    );
  });

  it('writes quiz tags in brackets and quotes a title holding ": "', () => {
    const text = serializeBankMarkdown(meta(), sample);
    expect(text).toContain('    tags: [lesson-1, mediating]');
    expect(text).toContain('    titleEn: "Final test: all lessons"');
  });

  it('keeps what the format can say when writing questions imported from GIFT', () => {
    const gift = parseGift(
      [
        '$CATEGORY: Imported',
        '',
        '::Q1::Grant is {~buried =entombed ~%50%living} in the tomb.',
        '',
        'Animal?{=Frog =%50%Cat =%0%*#Wrong}',
        '',
        'Year?{#=1822:0 =%50%1822:2}',
        '',
        'Match.{=a -> 1 =b -> 2 =c -> 3 = -> 4}',
        '',
        'Sun rises east.{T#No#Yes}',
      ].join('\n'),
    );
    expect(gift.errors).toEqual([]);
    const bank = parseBankMarkdown(serializeBankMarkdown(meta({ quizzes: [] }), gift.questions));
    expect(bank.errors).toEqual([]);
    expect(bank.questions.map((q) => [q.type, q.title, q.category, q.textFormat])).toEqual([
      ['single', 'Q1', undefined, 'markdown'],
      ['shortanswer', undefined, undefined, 'markdown'],
      ['numerical', undefined, undefined, 'markdown'],
      ['matching', undefined, undefined, 'markdown'],
      ['truefalse', undefined, undefined, 'markdown'],
    ]);
    expect(bank.questions[0].choices?.map((c) => c.weight)).toEqual([0, 100, 0]);
    expect(bank.questions[1].choices).toEqual([{ text: 'Frog', weight: 100 }]);
    expect(bank.questions[2].numeric).toEqual([{ value: 1822, tolerance: 0, weight: 100 }]);
    expect(bank.questions[3].pairs).toHaveLength(3);
    expect(bank.questions[4]).not.toHaveProperty('feedbackTrue');
  });

  it('joins the soft line breaks of the first paragraph into the heading', () => {
    const q = question({ text: 'Japanese characters originally\ncame from China.' });
    expect(serializeBankMarkdown(meta({ quizzes: [] }), [q])).toContain(
      '## Japanese characters originally came from China.\n',
    );
  });

  it('refuses a question with no text, which would have no heading', () => {
    expect(() => serializeBankMarkdown(meta(), [question({ text: '' })])).toThrow(
      BankSerializeError,
    );
  });

  it('refuses a numerical question with no 100% answer', () => {
    const q = question({ type: 'numerical', numeric: [{ value: 1, tolerance: 0, weight: 50 }] });
    expect(() => serializeBankMarkdown(meta(), [q])).toThrow(/100%/);
  });

  it('refuses a matching left side holding "=>"', () => {
    const q = question({
      type: 'matching',
      pairs: [
        { left: 'a => b', right: '1' },
        { left: 'c', right: '2' },
        { left: 'd', right: '3' },
      ],
    });
    expect(() => serializeBankMarkdown(meta(), [q])).toThrow(BankSerializeError);
  });
});
