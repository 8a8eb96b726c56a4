import { buildParts } from './question-parts';
import { checkResponse, correctAnswer, gradeQuestion, scoreAttempt } from './grading';
import { ParsedQuestion } from './formats';

const question = (over: Partial<ParsedQuestion>): ParsedQuestion => ({
  line: 1,
  type: 'single',
  text: 'Q',
  textFormat: 'markdown',
  tags: [],
  ...over,
});
const ids = (parts: ReturnType<typeof buildParts>): string[] =>
  (parts.options ?? []).map((o) => o.id);

describe('grading', () => {
  describe('single choice', () => {
    const parts = buildParts(
      question({
        choices: [
          { text: 'a', weight: 0, feedback: 'no' },
          { text: 'b', weight: 100, feedback: 'yes' },
          { text: 'c', weight: 50 },
        ],
      }),
    );
    const [a, b, c] = ids(parts) as [string, string, string];

    it('gives full credit for the right option with its feedback', () => {
      expect(gradeQuestion('single', parts, b)).toEqual({
        credit: 1,
        correct: true,
        responseFeedbackHtml: ['<p>yes</p>\n'],
      });
    });

    it('gives nothing for a wrong option and partial credit for a GIFT weighted one', () => {
      expect(gradeQuestion('single', parts, a).credit).toBe(0);
      expect(gradeQuestion('single', parts, c)).toMatchObject({ credit: 0.5, correct: false });
    });

    it('treats an unknown option id or no answer as wrong', () => {
      expect(gradeQuestion('single', parts, 'nope').credit).toBe(0);
      expect(gradeQuestion('single', parts, null).credit).toBe(0);
    });

    it('names the right option in the review', () => {
      expect(correctAnswer('single', parts)).toEqual({ optionIds: [b] });
    });

    it('makes option ids random, so they say nothing about the authored order', () => {
      const again = buildParts(
        question({
          choices: [
            { text: 'a', weight: 0 },
            { text: 'b', weight: 100 },
          ],
        }),
      );
      expect(ids(again)[0]).not.toBe(a);
      expect(ids(again)[0]).toMatch(/^[A-Za-z0-9_-]{8}$/);
    });
  });

  describe('multiple choice (content/README.md partial credit)', () => {
    const parts = buildParts(
      question({
        type: 'multiple',
        choices: [
          { text: 'r1', weight: 50 },
          { text: 'r2', weight: 50 },
          { text: 'w1', weight: -50 },
          { text: 'w2', weight: -50 },
        ],
      }),
    );
    const [r1, r2, w1, w2] = ids(parts) as [string, string, string, string];

    it('gives full credit for exactly the right options', () => {
      expect(gradeQuestion('multiple', parts, [r1, r2])).toMatchObject({
        credit: 1,
        correct: true,
      });
    });

    it('gives partial credit when one of two right options is chosen', () => {
      expect(gradeQuestion('multiple', parts, [r1])).toMatchObject({ credit: 0.5, correct: false });
    });

    it('takes away the same share for each wrong option picked', () => {
      expect(gradeQuestion('multiple', parts, [r1, r2, w1]).credit).toBe(0.5);
    });

    it('never goes below zero', () => {
      expect(gradeQuestion('multiple', parts, [r1, w1, w2]).credit).toBe(0);
      expect(gradeQuestion('multiple', parts, []).credit).toBe(0);
    });

    it('divides by the number of right options (thirds)', () => {
      const three = buildParts(
        question({
          type: 'multiple',
          choices: [
            { text: 'a', weight: 33 },
            { text: 'b', weight: 33 },
            { text: 'c', weight: 34 },
            { text: 'd', weight: -100 },
          ],
        }),
      );
      const [a] = ids(three) as [string];
      expect(gradeQuestion('multiple', three, [a]).credit).toBe(0.3333);
    });

    it('refuses ids that are not options of the question', () => {
      expect(checkResponse('multiple', parts, [r1, 'x']).ok).toBe(false);
      expect(checkResponse('multiple', parts, r1).ok).toBe(false);
    });
  });

  describe('true or false', () => {
    const parts = buildParts(
      question({
        type: 'truefalse',
        answer: false,
        feedbackTrue: 'It is not.',
        feedbackFalse: 'Right.',
      }),
    );

    it('grades the boolean and gives the feedback of the answer given', () => {
      expect(gradeQuestion('truefalse', parts, false)).toMatchObject({ credit: 1, correct: true });
      expect(gradeQuestion('truefalse', parts, true)).toEqual({
        credit: 0,
        correct: false,
        responseFeedbackHtml: ['<p>It is not.</p>\n'],
      });
    });

    it('refuses a string where a boolean is expected', () => {
      expect(checkResponse('truefalse', parts, 'false')).toEqual({
        ok: false,
        reason: 'assessment.response.boolean',
      });
    });
  });

  describe('fill in the blank', () => {
    const parts = buildParts(
      question({
        type: 'shortanswer',
        choices: [
          { text: '人民调解委员会', weight: 100 },
          { text: '调委会', weight: 100 },
          { text: 'ABC', weight: 50 },
        ],
      }),
    );

    it('accepts any accepted variant', () => {
      expect(gradeQuestion('shortanswer', parts, '调委会').correct).toBe(true);
    });

    it('normalises full-width characters, case and surrounding spaces', () => {
      expect(gradeQuestion('shortanswer', parts, '\u3000 人民调解委员会  ').correct).toBe(true);
      expect(gradeQuestion('shortanswer', parts, 'ａｂｃ')).toMatchObject({
        credit: 0.5,
        correct: false,
      });
    });

    it('respects case sensitivity when asked', () => {
      const cs = buildParts(
        question({
          type: 'shortanswer',
          caseSensitive: true,
          choices: [{ text: 'GIFT', weight: 100 }],
        }),
      );
      expect(gradeQuestion('shortanswer', cs, 'gift').correct).toBe(false);
      expect(gradeQuestion('shortanswer', cs, 'GIFT').correct).toBe(true);
    });
  });

  describe('numeric', () => {
    const parts = buildParts(
      question({
        type: 'numerical',
        numeric: [
          { value: 3.1415, tolerance: 0.0005, weight: 100 },
          { value: 3, tolerance: 0, weight: 50 },
        ],
        wrongFeedback: 'About 3.14.',
      }),
    );

    it('accepts values within the tolerance', () => {
      expect(gradeQuestion('numerical', parts, 3.142).correct).toBe(true);
      expect(gradeQuestion('numerical', parts, 3.141).correct).toBe(true);
    });

    it('gives the best matching weight, and the wrong-answer feedback when nothing matches', () => {
      expect(gradeQuestion('numerical', parts, 3).credit).toBe(0.5);
      expect(gradeQuestion('numerical', parts, 4)).toEqual({
        credit: 0,
        correct: false,
        responseFeedbackHtml: ['<p>About 3.14.</p>\n'],
      });
    });

    it('refuses a number given as text', () => {
      expect(checkResponse('numerical', parts, '3.14').ok).toBe(false);
      expect(checkResponse('numerical', parts, Number.NaN).ok).toBe(false);
    });
  });

  describe('matching', () => {
    const parts = buildParts(
      question({
        type: 'matching',
        pairs: [
          { left: '时间', right: 'when' },
          { left: '地点', right: 'where' },
          { left: '证据', right: 'proof' },
          { left: '', right: 'who' },
        ],
      }),
    );
    const left = parts.left ?? [];

    it('keeps a distractor on the right side only', () => {
      expect(left).toHaveLength(3);
      expect(parts.right).toHaveLength(4);
    });

    it('scores per pair', () => {
      const right = Object.fromEntries(left.map((l) => [l.id, l.rightId]));
      expect(gradeQuestion('matching', parts, right)).toMatchObject({ credit: 1, correct: true });
      type Left = (typeof left)[number];
      const [l0, l1, l2] = left as [Left, Left, Left];
      const twoOfThree = { [l0.id]: l0.rightId, [l1.id]: l1.rightId, [l2.id]: l0.rightId };
      expect(gradeQuestion('matching', parts, twoOfThree).credit).toBe(0.6667);
    });

    it('refuses unknown left or right ids', () => {
      expect(checkResponse('matching', parts, { nope: 'x' }).ok).toBe(false);
      expect(checkResponse('matching', parts, [1]).ok).toBe(false);
    });
  });

  describe('scoreAttempt', () => {
    it('adds credits, rounds the percentage and applies the pass mark', () => {
      expect(scoreAttempt([1, 0.5, 0, 1], 60)).toEqual({
        score: 2.5,
        maxScore: 4,
        scorePercent: 62.5,
        passed: true,
      });
      expect(scoreAttempt([1, 0, 0], 60)).toMatchObject({ scorePercent: 33.33, passed: false });
    });

    it('never passes an empty attempt', () => {
      expect(scoreAttempt([], 0).passed).toBe(false);
    });
  });
});
