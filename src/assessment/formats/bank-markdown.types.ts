import { FormatError, ParsedQuestion } from './question.types';

export type QuizReview = 'score_only' | 'correct_answers' | 'feedback';

export const QUIZ_REVIEWS: readonly QuizReview[] = ['score_only', 'correct_answers', 'feedback'];

/** One quiz drawn from the bank, as validated from the front matter (defaults applied). */
export interface BankQuizMeta {
  slug: string;
  title: string;
  titleEn: string;
  /** Lesson file name without `.md`: makes it that lesson's practice quiz. */
  lesson?: string;
  /** Questions drawn per attempt; all matching questions when absent. */
  questionCount?: number;
  /** Draw only questions carrying one of these tags; any question when empty. */
  tags: string[];
  passMark: number;
  timeLimitMinutes?: number;
  attemptsAllowed?: number;
  shuffle: boolean;
  review: QuizReview;
}

export interface BankFileMeta {
  slug: string;
  name: string;
  nameEn: string;
  course: string;
  quizzes: BankQuizMeta[];
}

export interface BankParseResult {
  /** Null when the front matter is missing or invalid; checks against the questions go to errors. */
  meta: BankFileMeta | null;
  questions: ParsedQuestion[];
  errors: FormatError[];
}
