import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseGift } from './gift.parser';
import { serializeGift } from './gift.serializer';
import { GIFT_BLANK } from './gift.syntax';
import { ParsedQuestion, QuestionType } from './question.types';

// Real Moodle files (see ../shared/fixtures/gift/README.md), read in place: they are not ours to copy.
const FIXTURES = path.resolve(__dirname, '../../../../shared/fixtures/gift');
const fixture = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');

const countByType = (questions: ParsedQuestion[]): Partial<Record<QuestionType, number>> =>
  questions.reduce<Partial<Record<QuestionType, number>>>(
    (counts, q) => ({ ...counts, [q.type]: (counts[q.type] ?? 0) + 1 }),
    {},
  );

const withoutLines = (questions: ParsedQuestion[]) =>
  questions.map(({ line: _line, ...rest }) => rest);

describe(`${parseGift.name} on Moodle's examples.txt`, () => {
  const result = parseGift(fixture('moodle-examples.gift.txt'));
  const at = (line: number) => result.questions.find((q) => q.line === line);

  it('imports all 43 questions without errors', () => {
    expect(result.errors).toEqual([]);
    expect(result.questions).toHaveLength(43);
  });

  it('imports the count of each type the fixture README gives', () => {
    expect(countByType(result.questions)).toEqual({
      single: 16,
      multiple: 2,
      truefalse: 5,
      shortanswer: 9,
      numerical: 8,
      matching: 3,
    });
  });

  it('reads a missing-word question with the blank in place', () => {
    expect(at(10)).toMatchObject({
      type: 'single',
      text: `Grant is ${GIFT_BLANK} in Grant's tomb.`,
    });
  });

  it('reads the [markdown] text format', () => {
    expect(at(108)).toMatchObject({
      textFormat: 'markdown',
      text: "Who's buried in **Grant's tomb**?",
    });
  });

  it('reads the numerical range as a middle value and a half-range tolerance', () => {
    expect(at(74)?.numeric).toEqual([{ value: 3.1415, tolerance: 0.0005, weight: 100 }]);
  });

  it('reads several weighted numerical answers with multi-line feedback', () => {
    expect(at(202)?.numeric).toEqual([
      { value: 1822, tolerance: 0, weight: 100, feedback: 'Correct! 100% credit' },
      {
        value: 1822,
        tolerance: 2,
        weight: 50,
        feedback: 'He was born in 1822.\nYou get 50% credit for being close.',
      },
    ]);
  });

  it('reads the escaped control characters as literal answers', () => {
    expect(at(143)?.choices?.map((c) => c.text)).toEqual(['= 2 + 2', '= 2 + 3', '= 2 + 4']);
    expect(at(148)?.choices?.map((c) => c.text)).toEqual(['~', '=', '#', '{', '}', '\\']);
    expect(at(148)?.choices?.[5]).toMatchObject({ weight: 100 });
  });

  it('reads negative weights of a multiple-answer question', () => {
    expect(at(136)?.choices?.map((c) => c.weight)).toEqual([-50, 50, 50, -50]);
  });

  it('reads the true/false feedback for a learner who answered wrong', () => {
    expect(at(113)).toMatchObject({
      answer: false,
      feedbackTrue: "No one is buried in Grant's tomb.",
    });
  });

  it('writes questions that read back the same', () => {
    const again = parseGift(serializeGift(result.questions));
    expect(again.errors).toEqual([]);
    expect(withoutLines(again.questions)).toEqual(withoutLines(result.questions));
  });
});

describe(`${parseGift.name} on Moodle's import-test fixture`, () => {
  const result = parseGift(fixture('moodle-fixture-questions.gift.txt'));
  const titled = (title: string) => result.questions.filter((q) => q.title === title);

  it('refuses the essay with its line', () => {
    expect(result.errors).toEqual([
      expect.objectContaining({ line: 2, code: 'GIFT_UNSUPPORTED_TYPE' }),
    ]);
  });

  it('imports the other eight questions', () => {
    expect(result.questions).toHaveLength(8);
    expect(countByType(result.questions)).toEqual({
      matching: 1,
      single: 1,
      multiple: 1,
      numerical: 1,
      shortanswer: 1,
      truefalse: 3,
    });
  });

  it('keeps the [html] question text and its distractor', () => {
    const [q] = titled('Moodle activities');
    expect(q).toMatchObject({
      textFormat: 'html',
      text: 'Match the <b>activity</b> to the description.',
    });
    expect(q.pairs).toEqual([
      { left: 'An activity supporting asynchronous discussions.', right: 'Forum' },
      {
        left: 'A teacher asks a question and specifies a choice of multiple responses.',
        right: 'Choice',
      },
      { left: 'A bank of record entries which participants can add to.', right: 'Database' },
      { left: 'A collection of web pages that anyone can add to or edit.', right: 'Wiki' },
      { left: '', right: 'Chat' },
    ]);
  });

  it('reads the multiple-answer question with negative weights', () => {
    const [q] = titled('colours');
    expect(q.type).toBe('multiple');
    expect(q.choices?.map((c) => [c.text, c.weight])).toEqual([
      ['yellow', 50],
      ['red', -100],
      ['off-beige', 50],
      ['blue', -100],
    ]);
  });

  it('keeps the * wildcard short answer with its feedback', () => {
    const [q] = titled('Shortanswer');
    expect(q.choices).toEqual([
      { text: 'Frog', weight: 100, feedback: 'Good!' },
      { text: 'Cat', weight: 50, feedback: 'What is it with Moodlers and cats?' },
      { text: '*', weight: 0, feedback: 'Completely wrong' },
    ]);
  });

  it('reads the range question with its feedback for other answers', () => {
    const [q] = titled('Q5');
    expect(q).toMatchObject({
      numeric: [{ value: 3, tolerance: 2, weight: 100 }],
      wrongFeedback: 'Completely wrong',
    });
  });

  it('reads true/false feedback and the general feedback', () => {
    const [q] = titled('Q1');
    expect(q).toMatchObject({
      answer: false,
      feedbackTrue: '42 is the Ultimate Answer.',
      feedbackFalse: 'You gave the right answer.',
      generalFeedback: "This is, of course, a Hitchiker's Guide to the Galaxy reference.",
    });
    // The fixture has a stray `";` after the block; Moodle keeps it as text after a blank, and so do we.
    expect(q.text).toBe(`42 is the Absolute Answer to everything.${GIFT_BLANK}";`);
  });

  it('reads both {T} and {TRUE}', () => {
    expect(titled('2-08 TSL').map((q) => q.answer)).toEqual([true, true]);
  });

  it('writes questions that read back the same', () => {
    const again = parseGift(serializeGift(result.questions));
    expect(again.errors).toEqual([]);
    expect(withoutLines(again.questions)).toEqual(withoutLines(result.questions));
  });
});
