import { parseGift } from './gift.parser';
import { GiftSerializeError, serializeGift } from './gift.serializer';
import { GIFT_BLANK } from './gift.syntax';
import { ParsedQuestion } from './question.types';

const question = (overrides: Partial<ParsedQuestion>): ParsedQuestion => ({
  line: 1,
  type: 'single',
  text: '接到邻里噪音投诉后，调解员首先应当做什么？',
  textFormat: 'markdown',
  tags: [],
  choices: [
    { text: '分别听取双方陈述', weight: 100 },
    { text: '直接报警处理', weight: 0 },
  ],
  ...overrides,
});

const withoutLines = (questions: ParsedQuestion[]) =>
  questions.map(({ line: _line, ...rest }) => rest);

const roundTrip = (questions: ParsedQuestion[]) => {
  const result = parseGift(serializeGift(questions));
  expect(result.errors).toEqual([]);
  return withoutLines(result.questions);
};

// Every type and every feature GIFT can carry, with text that needs escaping.
const richSample: ParsedQuestion[] = [
  question({
    title: 'Step one: listen',
    tags: ['mediating', 'lesson-1'],
    difficulty: 'easy',
    category: '$course$/top/调解',
    choices: [
      { text: '立即上门批评 {一方}', weight: 0, feedback: '先下结论会让对方抵触。' },
      { text: '分别听取双方陈述 = 先听后判', weight: 100, feedback: '对。#1 原则' },
      { text: '%50 的人会选这个', weight: 0 },
      { text: '部分正确', weight: 50, feedback: '还不够' },
    ],
    generalFeedback: '调解的第一步是了解事实。\n\n分别倾听，不急于表态。',
  }),
  question({
    type: 'multiple',
    text: `以下哪些属于 ${GIFT_BLANK} 的职责？`,
    category: '$course$/top/调解',
    choices: [
      { text: '收集民意', weight: 100 / 3 },
      { text: '组织协商', weight: 100 / 3, feedback: '~对~' },
      { text: '调解纠纷', weight: 100 / 3 },
      { text: '代替法院判决', weight: -100 / 3, feedback: '越权' },
    ],
  }),
  question({
    type: 'truefalse',
    text: '居委会是基层群众性自治组织。',
    choices: undefined,
    textFormat: 'moodle',
    category: 'Law',
    answer: true,
    feedbackTrue: '正确：见《居民委员会组织法》第二条。',
    feedbackFalse: '错误：它不是一级政府。',
    generalFeedback: '参见组织法。',
  }),
  question({
    type: 'truefalse',
    text: 'Only the right feedback',
    choices: undefined,
    textFormat: 'plain',
    answer: false,
    feedbackFalse: 'Right!',
  }),
  question({
    type: 'shortanswer',
    text: `政务服务便民热线的号码是 ${GIFT_BLANK} 。`,
    difficulty: 'medium',
    caseSensitive: true,
    choices: [
      { text: '12345', weight: 100, feedback: '对' },
      { text: '１２３４５', weight: 100 },
      { text: '%100 sure', weight: 100 },
      { text: '123*', weight: 30, feedback: 'Almost' },
      { text: '*', weight: 0, feedback: '再想想' },
    ],
  }),
  question({
    type: 'numerical',
    text: 'Ulysses S. Grant: born when?',
    textFormat: 'html',
    choices: undefined,
    numeric: [
      { value: 1822, tolerance: 0, weight: 100, feedback: 'Correct!' },
      { value: 1822, tolerance: 2, weight: 50, feedback: 'Close.\nYou get 50%.' },
      { value: -0.5, tolerance: 0.25, weight: 10 },
    ],
    wrongFeedback: 'Completely wrong',
  }),
  question({
    type: 'matching',
    text: '[html] is not a format tag here',
    textFormat: 'moodle',
    choices: undefined,
    pairs: [
      { left: '群众工作', right: 'mass_work' },
      { left: '[plain]组织动员', right: 'organising -> mobilising' },
      { left: '矛盾调解', right: 'mediating' },
      { left: '', right: 'distractor' },
    ],
  }),
  question({
    text: '// looks like a comment\nand a C:\\path with a backslash',
    textFormat: 'moodle',
  }),
  question({ text: `The blank ends the text ${GIFT_BLANK}`, tags: ['x]y'] }),
  question({ text: `${GIFT_BLANK} starts the text` }),
  question({
    text: 'All answers right',
    choices: [
      { text: 'a', weight: 100 },
      { text: 'b', weight: 100 },
    ],
  }),
];

describe(serializeGift.name, () => {
  it('writes questions that parseGift reads back the same (round trip over a rich sample)', () => {
    expect(roundTrip(richSample)).toEqual(withoutLines(richSample));
  });

  it('writes what it reads back the same from a GIFT source', () => {
    const source = [
      '// [tag:law]',
      "::Q1::Grant is {~buried =entombed#Yes ~living} in Grant's tomb.",
      '',
      '$CATEGORY: Sums',
      '',
      'Two plus two? {#\n=4:0\n=%50%4..5\n~#No\n####Count.}',
    ].join('\n');
    const first = parseGift(source);
    expect(first.errors).toEqual([]);
    expect(roundTrip(first.questions)).toEqual(withoutLines(first.questions));
  });

  it('writes Moodle-style answer lines, one per line, = for the right answer', () => {
    const gift = serializeGift([question({ textFormat: 'moodle', text: 'Who?' })]);
    expect(gift).toBe('Who?{\n\t=分别听取双方陈述\n\t~直接报警处理\n}\n');
  });

  it('puts the answer block back where a missing-word blank stands', () => {
    const gift = serializeGift([
      question({
        textFormat: 'moodle',
        text: `Grant is ${GIFT_BLANK} in Grant's tomb.`,
        choices: [
          { text: 'entombed', weight: 100 },
          { text: 'buried', weight: 0 },
        ],
      }),
    ]);
    expect(gift).toBe("Grant is {\n\t=entombed\n\t~buried\n} in Grant's tomb.\n");
  });

  it('writes a format tag unless the format is moodle', () => {
    expect(serializeGift([question({ text: '**Bold**?' })])).toMatch(
      /^\[markdown\]\*\*Bold\*\*\?\{/,
    );
    expect(serializeGift([question({ textFormat: 'moodle', text: 'Plain?' })])).toMatch(
      /^Plain\?\{/,
    );
  });

  it('escapes the control characters and line breaks', () => {
    const gift = serializeGift([question({ textFormat: 'moodle', text: 'a{b}c:d~e=f#g\\h\ni' })]);
    expect(gift.split('\n')[0]).toBe('a\\{b\\}c\\:d\\~e\\=f\\#g\\\\h\\ni{');
  });

  it('writes tags, difficulty and case sensitivity as a comment line', () => {
    const gift = serializeGift([
      question({
        type: 'shortanswer',
        tags: ['mediating'],
        difficulty: 'hard',
        caseSensitive: true,
        choices: [{ text: 'WiFi', weight: 100 }],
      }),
    ]);
    expect(gift.split('\n')[0]).toBe('// [tag:mediating] [difficulty:hard] [casesensitive:true]');
  });

  it('writes true/false as TRUE or FALSE with wrong-answer feedback first', () => {
    const gift = serializeGift([
      question({
        type: 'truefalse',
        textFormat: 'moodle',
        text: 'Sun rises east.',
        choices: undefined,
        answer: true,
        feedbackTrue: 'Yes',
        feedbackFalse: 'No',
      }),
    ]);
    expect(gift).toBe('Sun rises east.{TRUE#No#Yes}\n');
  });

  it('writes a $CATEGORY line only when the category changes', () => {
    const gift = serializeGift([
      question({ category: 'A', text: 'Q1' }),
      question({ category: 'A', text: 'Q2' }),
      question({ category: 'B', text: 'Q3' }),
    ]);
    expect(gift.match(/^\$CATEGORY: .*$/gm)).toEqual(['$CATEGORY: A', '$CATEGORY: B']);
  });

  it('returns an empty string for no questions', () => {
    expect(serializeGift([])).toBe('');
  });

  it('refuses a short answer holding "->", which Moodle would read as matching', () => {
    const q = question({ type: 'shortanswer', choices: [{ text: 'a -> b', weight: 100 }] });
    expect(() => serializeGift([q])).toThrow(GiftSerializeError);
  });

  it('refuses a single-answer question with no 100% choice', () => {
    const q = question({
      choices: [
        { text: 'a', weight: 50 },
        { text: 'b', weight: 0 },
      ],
    });
    expect(() => serializeGift([q])).toThrow(/100% choice/);
  });

  it('refuses a question with no answers, which would read back as an essay', () => {
    expect(() => serializeGift([question({ type: 'matching', choices: undefined })])).toThrow(
      GiftSerializeError,
    );
  });

  it('refuses a numerical answer that is not a finite number', () => {
    const q = question({
      type: 'numerical',
      numeric: [{ value: Number.NaN, tolerance: 0, weight: 100 }],
    });
    expect(() => serializeGift([q])).toThrow(/finite/);
  });
});
