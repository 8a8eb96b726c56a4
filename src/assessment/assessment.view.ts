import { QuizReview } from './formats';
import {
  AttemptEntity,
  AttemptQuestionEntity,
  QuestionEntity,
  QuizEntity,
} from './assessment.entities';
import { AnswerResponse, correctAnswer, CorrectAnswer, gradeQuestion } from './grading';

/** A question as a learner sees it during an attempt: text and choices only, never a key, weight or feedback. */
export interface OpenQuestionView {
  id: string;
  type: QuestionEntity['type'];
  number: number;
  html: string;
  options?: Array<{ id: string; html: string }>;
  left?: Array<{ id: string; html: string }>;
  right?: Array<{ id: string; html: string }>;
  /** What the learner saved so far. */
  response: AnswerResponse | null;
}

export interface ReviewQuestionView extends OpenQuestionView {
  correct?: boolean;
  credit?: number;
  correctAnswer?: CorrectAnswer;
  feedbackHtml?: string[];
  generalFeedbackHtml?: string;
}

export interface AttemptView {
  attemptId: string;
  quizId: string;
  number: number;
  status: AttemptEntity['status'];
  startedAt: string;
  deadline: string | null;
  submittedAt: string | null;
  score?: number;
  maxScore: number;
  scorePercent?: number;
  passed?: boolean;
  /** What of the review the policy shows now: none (open), score_only, correct_answers, feedback. */
  review: 'none' | QuizReview;
  /** When the review will show more (review after the quiz closes). */
  reviewFrom?: string;
  questions: Array<OpenQuestionView | ReviewQuestionView>;
}

export function toOpenQuestion(q: QuestionEntity, aq: AttemptQuestionEntity): OpenQuestionView {
  const p = q.parts;
  const view: OpenQuestionView = {
    id: q.id,
    type: q.type,
    number: aq.position,
    html: p.stemHtml,
    response: aq.response,
  };
  if (q.type === 'single' || q.type === 'multiple') {
    const byId = new Map((p.options ?? []).map((o) => [o.id, o]));
    view.options = (aq.layout.options ?? []).flatMap((id) => {
      const o = byId.get(id);
      return o ? [{ id: o.id, html: o.html }] : [];
    });
  }
  if (q.type === 'matching') {
    const left = new Map((p.left ?? []).map((l) => [l.id, l]));
    const right = new Map((p.right ?? []).map((r) => [r.id, r]));
    view.left = (aq.layout.left ?? []).flatMap((id) => {
      const l = left.get(id);
      return l ? [{ id: l.id, html: l.html }] : [];
    });
    view.right = (aq.layout.right ?? []).flatMap((id) => {
      const r = right.get(id);
      return r ? [{ id: r.id, html: r.html }] : [];
    });
  }
  return view;
}

export function toReviewQuestion(
  q: QuestionEntity,
  aq: AttemptQuestionEntity,
  review: QuizReview,
): OpenQuestionView | ReviewQuestionView {
  const open = toOpenQuestion(q, aq);
  if (review === 'score_only') {
    return open;
  }
  const view: ReviewQuestionView = {
    ...open,
    correct: aq.correct ?? false,
    credit: aq.credit ?? 0,
    correctAnswer: correctAnswer(q.type, q.parts),
  };
  if (review === 'feedback') {
    view.feedbackHtml = gradeQuestion(q.type, q.parts, aq.response).responseFeedbackHtml;
    view.generalFeedbackHtml = q.parts.generalFeedbackHtml;
  }
  return view;
}

export function toAttemptSummary(a: AttemptEntity): Omit<AttemptView, 'questions' | 'review'> {
  return {
    attemptId: a.id,
    quizId: a.quizId,
    number: a.number,
    status: a.status,
    startedAt: a.startedAt.toISOString(),
    deadline: a.deadline?.toISOString() ?? null,
    submittedAt: a.submittedAt?.toISOString() ?? null,
    maxScore: a.maxScore,
    ...(a.status === 'submitted'
      ? { score: a.score ?? 0, scorePercent: a.scorePercent ?? 0, passed: a.passed === true }
      : {}),
  };
}

export interface QuizSettingsView {
  id: string;
  title: string;
  titleEn: string | null;
  courseSlug: string;
  lessonId: string | null;
  isFinal: boolean;
  passMark: number;
  timeLimitSeconds: number | null;
  attemptsAllowed: number | null;
  questionCount: number | null;
  opensAt: string | null;
  closesAt: string | null;
  shuffleQuestions: boolean;
  shuffleOptions: boolean;
  review: QuizReview;
  reviewWhen: QuizEntity['reviewWhen'];
  layout: QuizEntity['layout'];
}

export function toQuizSettings(q: QuizEntity): QuizSettingsView {
  return {
    id: q.id,
    title: q.title,
    titleEn: q.titleEn,
    courseSlug: q.courseSlug,
    lessonId: q.lessonId,
    isFinal: q.lessonId === null,
    passMark: q.passMark,
    timeLimitSeconds: q.timeLimitSeconds,
    attemptsAllowed: q.attemptsAllowed,
    questionCount: q.questionCount,
    opensAt: q.opensAt?.toISOString() ?? null,
    closesAt: q.closesAt?.toISOString() ?? null,
    shuffleQuestions: q.shuffleQuestions,
    shuffleOptions: q.shuffleOptions,
    review: q.review,
    reviewWhen: q.reviewWhen,
    layout: q.layout,
  };
}
