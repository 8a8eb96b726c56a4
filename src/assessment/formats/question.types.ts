// One shape for every question whatever file it came from (GIFT, bank markdown), so import, grading and
// export share it.

export type QuestionType =
  'single' | 'multiple' | 'truefalse' | 'shortanswer' | 'numerical' | 'matching';

export const QUESTION_TYPES: readonly QuestionType[] = [
  'single',
  'multiple',
  'truefalse',
  'shortanswer',
  'numerical',
  'matching',
];

export type TextFormat = 'markdown' | 'html' | 'plain' | 'moodle';

export const TEXT_FORMATS: readonly TextFormat[] = ['markdown', 'html', 'plain', 'moodle'];

export type Difficulty = 'easy' | 'medium' | 'hard';

export const DIFFICULTIES: readonly Difficulty[] = ['easy', 'medium', 'hard'];

/** Weight in percent, -100..100: single right = 100; multiple right > 0; shortanswer 100 = full credit. */
export interface ParsedChoice {
  text: string;
  weight: number;
  feedback?: string;
}

export interface ParsedNumericAnswer {
  value: number;
  tolerance: number;
  weight: number;
  feedback?: string;
}

/** An empty `left` is a distractor: a right side offered that matches no left side (GIFT `= -> Chat`). */
export interface ParsedPair {
  left: string;
  right: string;
}

export interface ParsedQuestion {
  /** 1-based line where the question starts in the source file. */
  line: number;
  type: QuestionType;
  title?: string;
  /**
   * The stem, kept as written in `textFormat`: markdown for our banks; GIFT text keeps Moodle's format
   * (render html through the sanitiser, plain and moodle as text). A missing-word blank is GIFT_BLANK.
   */
  text: string;
  textFormat: TextFormat;
  /** GIFT `$CATEGORY:` in force. */
  category?: string;
  tags: string[];
  difficulty?: Difficulty;
  /** single, multiple, shortanswer (accepted answers; `*` matches any run of characters, see matchesFillIn). */
  choices?: ParsedChoice[];
  /** shortanswer */
  caseSensitive?: boolean;
  /** truefalse */
  answer?: boolean;
  /** truefalse: shown when the learner answered true. */
  feedbackTrue?: string;
  /** truefalse: shown when the learner answered false. */
  feedbackFalse?: string;
  /** numerical */
  numeric?: ParsedNumericAnswer[];
  /** numerical: shown when the response matches none of `numeric` (GIFT `~#feedback`). */
  wrongFeedback?: string;
  /** matching */
  pairs?: ParsedPair[];
  generalFeedback?: string;
}

export interface FormatError {
  line: number;
  code: string;
  message: string;
  messageZh: string;
}

export interface ParseResult {
  questions: ParsedQuestion[];
  errors: FormatError[];
}
