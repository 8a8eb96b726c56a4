import { parseGift } from './gift.parser';
import { GIFT_BLANK } from './gift.syntax';

const one = (source: string) => {
  const result = parseGift(source);
  expect(result.errors).toEqual([]);
  expect(result.questions).toHaveLength(1);
  return result.questions[0];
};

describe(parseGift.name, () => {
  describe('multiple choice', () => {
    it('reads a single-answer question with its right answer at 100% and wrong ones at 0', () => {
      const q = one("Who's buried in Grant's tomb?{~Grant ~Jefferson =no one}");
      expect(q).toEqual({
        line: 1,
        type: 'single',
        text: "Who's buried in Grant's tomb?",
        textFormat: 'moodle',
        tags: [],
        choices: [
          { text: 'Grant', weight: 0 },
          { text: 'Jefferson', weight: 0 },
          { text: 'no one', weight: 100 },
        ],
      });
    });

    it('reads partial-credit weights on wrong answers of a single-answer question', () => {
      const q = one(
        'Difficult question.{~wrong answer ~%50%half credit answer =full credit answer}',
      );
      expect(q.choices?.map((c) => c.weight)).toEqual([0, 50, 100]);
      expect(q.choices?.[1].text).toBe('half credit answer');
    });

    it('reads a question with no = answer as multiple-answer, keeping negative weights', () => {
      const q = one("Pick two {~%-50%No one ~%50%Grant ~%50%Grant's wife ~%-50%Grant's father}");
      expect(q.type).toBe('multiple');
      expect(q.choices?.map((c) => c.weight)).toEqual([-50, 50, 50, -50]);
    });

    it('accepts decimal weights such as 33.33333%', () => {
      const q = one('Pick three {~%33.33333%a ~%33.33333%b ~%33.33333%c ~%-100%d}');
      expect(q.choices?.[0].weight).toBe(33.33333);
    });

    it('reads per-answer feedback after #', () => {
      const q = one('Q?{\n~wrong answer#feedback on wrong\n=right answer#Very good!}');
      expect(q.choices).toEqual([
        { text: 'wrong answer', weight: 0, feedback: 'feedback on wrong' },
        { text: 'right answer', weight: 100, feedback: 'Very good!' },
      ]);
    });

    it('reads answers spread over several lines with indentation', () => {
      const q = one(
        'Japanese characters came from? {\n    ~India\n    =China\n    ~Korea\n    ~Egypt}',
      );
      expect(q.choices?.map((c) => c.text)).toEqual(['India', 'China', 'Korea', 'Egypt']);
    });

    it('reports a multiple-answer question whose positive weights do not add up to 100%', () => {
      const result = parseGift('Pick {~%50%a ~%20%b ~c}');
      expect(result.questions).toEqual([]);
      expect(result.errors).toEqual([
        expect.objectContaining({ line: 1, code: 'GIFT_WEIGHT_SUM' }),
      ]);
    });

    it('reports a weight outside -100%..100% with its line', () => {
      const result = parseGift('Pick {\n=a\n~%150%b\n}');
      expect(result.errors).toEqual([
        expect.objectContaining({ line: 3, code: 'GIFT_BAD_WEIGHT' }),
      ]);
    });

    it('reports a multiple-choice question with a single answer', () => {
      const result = parseGift('Only one {~a}');
      expect(result.errors).toEqual([
        expect.objectContaining({ line: 1, code: 'GIFT_TOO_FEW_ANSWERS' }),
      ]);
    });

    it('reports an empty answer with its line', () => {
      const result = parseGift('Q {\n=a\n~\n}');
      expect(result.errors).toEqual([
        expect.objectContaining({ line: 3, code: 'GIFT_EMPTY_ANSWER' }),
      ]);
    });
  });

  describe('missing word', () => {
    it('keeps the text around the answer block with a blank where the block stood', () => {
      const q = one("Grant is {~buried =entombed ~living} in Grant's tomb.");
      expect(q.text).toBe(`Grant is ${GIFT_BLANK} in Grant's tomb.`);
      expect(q.text).toContain('____');
    });

    it('adds a blank even when only punctuation follows the block, as Moodle does', () => {
      const q = one('Two plus two equals {=four =4}.');
      expect(q.text).toBe(`Two plus two equals ${GIFT_BLANK}.`);
    });

    it('adds no blank when the block ends the question', () => {
      expect(one("Who's buried in Grant's tomb?{=no one}").text).toBe(
        "Who's buried in Grant's tomb?",
      );
    });
  });

  describe('true/false', () => {
    it.each([
      ['{T}', true],
      ['{TRUE}', true],
      ['{F}', false],
      ['{FALSE}', false],
    ])('reads %s', (block, answer) => {
      const q = one(`The sun rises in the east.${block}`);
      expect(q).toMatchObject({ type: 'truefalse', answer });
    });

    it('shows the first feedback to a learner who answered wrong and the second to one who answered right', () => {
      const q = one('42 is the answer.{FALSE#Wrong, it is not.#Right, it is not.}');
      expect(q).toMatchObject({
        answer: false,
        feedbackTrue: 'Wrong, it is not.',
        feedbackFalse: 'Right, it is not.',
      });
    });

    it('maps feedback of a true statement the other way round', () => {
      const q = one('The sun rises in the east.{T#No, it does.#Yes!}');
      expect(q).toMatchObject({
        answer: true,
        feedbackFalse: 'No, it does.',
        feedbackTrue: 'Yes!',
      });
    });

    it('treats lower-case true as a short answer, as Moodle does', () => {
      expect(one('Q {true}').type).toBe('shortanswer');
    });
  });

  describe('short answer', () => {
    it('reads every = answer as accepted, at full credit unless weighted', () => {
      const q = one('Jesus Christ was from {\n=Nazareth#Yes!\n=%75%Nazereth#Misspelled.\n}');
      expect(q).toMatchObject({
        type: 'shortanswer',
        caseSensitive: false,
        choices: [
          { text: 'Nazareth', weight: 100, feedback: 'Yes!' },
          { text: 'Nazereth', weight: 75, feedback: 'Misspelled.' },
        ],
      });
    });

    it('keeps a * wildcard answer for matchesFillIn to grade', () => {
      const q = one('Best animal?{=Frog =%0%*#Completely wrong}');
      expect(q.choices?.[1]).toEqual({ text: '*', weight: 0, feedback: 'Completely wrong' });
    });

    it('reports a short answer that no answer gives full credit', () => {
      const result = parseGift('Q {=%50%half}');
      expect(result.errors).toEqual([expect.objectContaining({ code: 'GIFT_NO_FULL_CREDIT' })]);
    });

    it('reads our case-sensitivity comment token', () => {
      expect(one('// [casesensitive:true]\nQ {=WiFi}').caseSensitive).toBe(true);
    });
  });

  describe('numerical', () => {
    it('reads an answer with a tolerance', () => {
      expect(one('Grant born?{#1822:5}').numeric).toEqual([
        { value: 1822, tolerance: 5, weight: 100 },
      ]);
    });

    it('reads an exact answer with zero tolerance', () => {
      expect(one("What's 2 plus 2? {#4}").numeric).toEqual([
        { value: 4, tolerance: 0, weight: 100 },
      ]);
    });

    it('stores a range as its middle value and half-range tolerance', () => {
      expect(one('Pi? {#3.141..3.142}').numeric).toEqual([
        { value: 3.1415, tolerance: 0.0005, weight: 100 },
      ]);
      expect(one('A number from 1 to 5 {#1..5}').numeric).toEqual([
        { value: 3, tolerance: 2, weight: 100 },
      ]);
    });

    it('reads several weighted answers with feedback', () => {
      const q = one('Grant born? {#\n=1822:0 #Correct!\n=%50%1822:2 #Close.\n}');
      expect(q.numeric).toEqual([
        { value: 1822, tolerance: 0, weight: 100, feedback: 'Correct!' },
        { value: 1822, tolerance: 2, weight: 50, feedback: 'Close.' },
      ]);
    });

    it('reads negative and decimal numbers', () => {
      expect(one('Coldest? {#-40.5:0.5}').numeric).toEqual([
        { value: -40.5, tolerance: 0.5, weight: 100 },
      ]);
    });

    it('reads the feedback for any other answer after ~', () => {
      expect(one('1 to 5? {#3:2~#Completely wrong}').wrongFeedback).toBe('Completely wrong');
    });

    it('reports an answer that is not a number with its line', () => {
      const result = parseGift('Q {#\n=12:1\n=abc\n}');
      expect(result.errors).toEqual([
        expect.objectContaining({ line: 3, code: 'GIFT_BAD_NUMBER' }),
      ]);
    });

    it('reports a range whose minimum exceeds its maximum', () => {
      expect(parseGift('Q {#5..1}').errors).toEqual([
        expect.objectContaining({ code: 'GIFT_BAD_NUMBER' }),
      ]);
    });

    it('reports a negative tolerance', () => {
      expect(parseGift('Q {#5:-1}').errors).toEqual([
        expect.objectContaining({ code: 'GIFT_BAD_NUMBER' }),
      ]);
    });
  });

  describe('matching', () => {
    it('reads pairs written left -> right', () => {
      const q = one('Match capitals.{=Canada->Ottawa =Italy -> Rome =Japan  -> Tokyo}');
      expect(q).toMatchObject({
        type: 'matching',
        pairs: [
          { left: 'Canada', right: 'Ottawa' },
          { left: 'Italy', right: 'Rome' },
          { left: 'Japan', right: 'Tokyo' },
        ],
      });
    });

    it('keeps a pair with an empty left side as a distractor', () => {
      const q = one('Match.{=a -> 1 =b -> 2 = -> 3}');
      expect(q.pairs?.[2]).toEqual({ left: '', right: '3' });
    });

    it('reports a pair without -> with its line', () => {
      const result = parseGift('Match.{\n=a -> 1\n=b 2\n=c -> 3\n}');
      expect(result.errors).toEqual([
        expect.objectContaining({ line: 3, code: 'GIFT_MATCH_SYNTAX' }),
      ]);
    });

    it('reports a matching question with fewer than two real pairs', () => {
      expect(parseGift('Match.{=a -> 1 = -> 2}').errors).toEqual([
        expect.objectContaining({ code: 'GIFT_TOO_FEW_ANSWERS' }),
      ]);
    });
  });

  describe('names, comments, categories and tags', () => {
    it('reads the ::title:: before the text', () => {
      const q = one(
        '::Kanji Origins::Japanese characters originally\ncame from what country? {=China}',
      );
      expect(q.title).toBe('Kanji Origins');
      expect(q.text).toBe('Japanese characters originally\ncame from what country?');
    });

    it('reads a title on its own line', () => {
      expect(one('::Name::\nThe text {T}')).toMatchObject({ title: 'Name', text: 'The text' });
    });

    it('ignores // comment lines, also inside a question', () => {
      const q = one('// a comment\nQ {\n// inside\n=a\n~b\n}');
      expect(q.choices).toHaveLength(2);
    });

    it('gives the line of the first non-comment line as the question line', () => {
      const { questions } = parseGift('// first\n\n// heading\nQ1 {T}\n\n\nQ2 {F}');
      expect(questions.map((q) => q.line)).toEqual([4, 7]);
    });

    it('applies $CATEGORY to the questions after it until the next one', () => {
      const { questions, errors } = parseGift(
        'Q0 {T}\n\n$CATEGORY: $course$/top/Mediation\n\nQ1 {T}\n\nQ2 {F}\n\n$CATEGORY: Law\n\nQ3 {T}',
      );
      expect(errors).toEqual([]);
      expect(questions.map((q) => q.category)).toEqual([
        undefined,
        '$course$/top/Mediation',
        '$course$/top/Mediation',
        'Law',
      ]);
    });

    it('clears the category on an empty $CATEGORY', () => {
      const { questions } = parseGift('$CATEGORY: A\n\nQ1 {T}\n\n$CATEGORY:\n\nQ2 {T}');
      expect(questions.map((q) => q.category)).toEqual(['A', undefined]);
    });

    it('reports a $CATEGORY that is not alone in its paragraph', () => {
      const { questions, errors } = parseGift('$CATEGORY: A\nQ1 {T}\n\nQ2 {T}');
      expect(errors).toEqual([
        expect.objectContaining({ line: 2, code: 'GIFT_CATEGORY_NOT_ALONE' }),
      ]);
      expect(questions).toEqual([expect.objectContaining({ text: 'Q2', category: 'A' })]);
    });

    it('reads Moodle [tag:...] tokens and our [difficulty:...] token from comments', () => {
      const q = one('// [tag:mediating] [tag:lesson-1] [difficulty:hard] [id:x1]\nQ {T}');
      expect(q).toMatchObject({ tags: ['mediating', 'lesson-1'], difficulty: 'hard' });
    });
  });

  describe('escapes and text formats', () => {
    it('reads \\~ \\= \\# \\{ \\} \\: and \\\\ as literal characters', () => {
      const q = one('a\\{b\\}c\\:d {=\\~1\\=2\\#3 ~x\\\\y}');
      expect(q.text).toBe('a{b}c:d');
      expect(q.choices?.map((c) => c.text)).toEqual(['~1=2#3', 'x\\y']);
    });

    it('reads \\n as a line break', () => {
      expect(one('Line one\\nline two {T}').text).toBe('Line one\nline two');
    });

    it('keeps a backslash before any other character', () => {
      expect(one('C:\\\\temp and a\\*b {T}').text).toBe('C:\\temp and a\\*b');
    });

    it('records a [markdown] text format and keeps the markdown', () => {
      const q = one("[markdown]Who's buried in **Grant's tomb**?{=no one}");
      expect(q).toMatchObject({
        textFormat: 'markdown',
        text: "Who's buried in **Grant's tomb**?",
      });
    });

    it('keeps [html] text as written and records the format', () => {
      const q = one('[html]Match the <b>activity</b>.{T}');
      expect(q).toMatchObject({ textFormat: 'html', text: 'Match the <b>activity</b>.' });
    });

    it.each(['plain', 'moodle'])('records a [%s] text format', (format) => {
      expect(one(`[${format}]Text {T}`).textFormat).toBe(format);
    });

    it('defaults to the moodle format and keeps an unknown [word] as text', () => {
      expect(one('[note] Text {T}')).toMatchObject({ textFormat: 'moodle', text: '[note] Text' });
    });

    it("drops an answer's own format tag and keeps its text", () => {
      const q = one('Q {=yellow # right ~red # [html]wrong ~[plain]blue}');
      expect(q.choices).toEqual([
        { text: 'yellow', weight: 100, feedback: 'right' },
        { text: 'red', weight: 0, feedback: 'wrong' },
        { text: 'blue', weight: 0 },
      ]);
    });

    it('reads the general feedback after ####', () => {
      const q = one('Q {=a ~b\n####Think about **why**.}');
      expect(q.generalFeedback).toBe('Think about **why**.');
      expect(q.choices).toHaveLength(2);
    });
  });

  describe('errors', () => {
    it('reports an essay question as unsupported with its line', () => {
      const result = parseGift('Q1 {T}\n\n// essay\n::Q8:: How are you? {}\n\nQ2 {F}');
      expect(result.errors).toEqual([
        expect.objectContaining({ line: 4, code: 'GIFT_UNSUPPORTED_TYPE' }),
      ]);
      expect(result.errors[0].message).toContain('essay');
      expect(result.errors[0].messageZh).toContain('问答题');
      expect(result.questions.map((q) => q.text)).toEqual(['Q1', 'Q2']);
    });

    it('reports an essay that only has general feedback as unsupported', () => {
      expect(parseGift('How are you? {####Any answer is fine.}').errors).toEqual([
        expect.objectContaining({ code: 'GIFT_UNSUPPORTED_TYPE' }),
      ]);
    });

    it('reports a description (text without answers) as unsupported with its line', () => {
      const result = parseGift('Q1 {T}\n\nJust some introductory text.\n\nQ2 {F}');
      expect(result.errors).toEqual([
        expect.objectContaining({ line: 3, code: 'GIFT_UNSUPPORTED_TYPE' }),
      ]);
      expect(result.questions).toHaveLength(2);
    });

    it('reports an unclosed answer block at the line of its brace and keeps reading', () => {
      const result = parseGift('Q1 {=a ~b\n\nQ2 {T}');
      expect(result.errors).toEqual([expect.objectContaining({ line: 1, code: 'GIFT_BRACE' })]);
      expect(result.questions).toEqual([expect.objectContaining({ text: 'Q2', line: 3 })]);
    });

    it('reports a closing brace with no opening one', () => {
      expect(parseGift('Q1 =a ~b}').errors).toEqual([
        expect.objectContaining({ code: 'GIFT_BRACE' }),
      ]);
    });

    it('reports a second answer block at its line', () => {
      const result = parseGift('Q1 {T}\nand {F}');
      expect(result.errors).toEqual([expect.objectContaining({ line: 2, code: 'GIFT_BRACE' })]);
    });

    it('reports a question name that is never closed', () => {
      expect(parseGift('::Name Q {T}').errors).toEqual([
        expect.objectContaining({ line: 1, code: 'GIFT_TITLE_NOT_CLOSED' }),
      ]);
    });

    it('gives every error an English and a Chinese message', () => {
      const { errors } = parseGift('Q {}\n\nQ {#x}\n\nQ {~a}\n\nD');
      expect(errors).toHaveLength(4);
      for (const error of errors) {
        expect(error.message).not.toBe('');
        expect(error.messageZh).toMatch(/[\u4e00-\u9fff]/);
      }
    });
  });

  it('reads Windows line endings and a byte-order mark', () => {
    const { questions, errors } = parseGift('\uFEFFQ1 {\r\n=a\r\n~b\r\n}\r\n\r\nQ2 {T}\r\n');
    expect(errors).toEqual([]);
    expect(questions.map((q) => q.line)).toEqual([1, 6]);
  });

  it('returns nothing for an empty or comment-only file', () => {
    expect(parseGift('')).toEqual({ questions: [], errors: [] });
    expect(parseGift('// only\n// comments\n')).toEqual({ questions: [], errors: [] });
  });
});
