import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, Repository } from 'typeorm';
import { Actor } from '../common/access/actor';
import { TransactionService } from '../database/transaction.service';
import { NotebookEntryEntity, QuestionEntity, QuizEntity } from './assessment.entities';
import { AssessmentException } from './assessment.exception';
import { OpenQuestionView, ReviewQuestionView } from './assessment.view';
import { checkResponse, correctAnswer, gradeQuestion } from './grading';
import { shuffled } from './attempts.service';

/** Right practice answers that take a question out of the notebook. */
export const RIGHT_TO_CLEAR = 2;

export interface NotebookItem {
  questionId: string;
  quizId: string;
  quizTitle: string;
  quizTitleEn: string | null;
  timesWrong: number;
  rightCount: number;
  rightNeeded: number;
  addedAt: string;
  question: OpenQuestionView;
}

export interface PracticeResult {
  correct: boolean;
  rightCount: number;
  rightNeeded: number;
  /** The question has left the notebook. */
  cleared: boolean;
  review: ReviewQuestionView;
}

/**
 * The wrong-answer notebook (错题本): every question answered wrong in a graded attempt, practised untimed and
 * ungraded until answered right twice.
 */
@Injectable()
export class NotebookService {
  constructor(
    @InjectRepository(NotebookEntryEntity)
    private readonly entries: Repository<NotebookEntryEntity>,
    @InjectRepository(QuestionEntity) private readonly questions: Repository<QuestionEntity>,
    @InjectRepository(QuizEntity) private readonly quizzes: Repository<QuizEntity>,
    private readonly tx: TransactionService,
  ) {}

  async list(actor: Actor): Promise<{ items: NotebookItem[] }> {
    const rows = await this.entries.find({
      where: { userId: actor.userId, clearedAt: IsNull() },
      order: { addedAt: 'DESC' },
      take: 200,
    });
    if (rows.length === 0) {
      return { items: [] };
    }
    const questions = new Map(
      (await this.questions.find({ where: { id: In(rows.map((r) => r.questionId)) } })).map((q) => [
        q.id,
        q,
      ]),
    );
    const quizzes = new Map(
      (await this.quizzes.find({ where: { id: In([...new Set(rows.map((r) => r.quizId))]) } })).map(
        (z) => [z.id, z],
      ),
    );
    const now = new Date();
    return {
      items: rows.flatMap((r) => {
        const q = questions.get(r.questionId);
        const quiz = quizzes.get(r.quizId);
        if (!q || reviewWithheld(quiz, now)) {
          return [];
        }
        return [
          {
            questionId: q.id,
            quizId: r.quizId,
            quizTitle: quiz?.title ?? '',
            quizTitleEn: quiz?.titleEn ?? null,
            timesWrong: r.timesWrong,
            rightCount: r.rightCount,
            rightNeeded: RIGHT_TO_CLEAR,
            addedAt: r.addedAt.toISOString(),
            question: practiceView(q),
          },
        ];
      }),
    };
  }

  async practise(actor: Actor, questionId: string, response: unknown): Promise<PracticeResult> {
    const entry = await this.entries.findOneBy({
      userId: actor.userId,
      questionId,
      clearedAt: IsNull(),
    });
    // Practice shows the key at once: not before the quiz's review policy releases it (as an unknown question).
    if (!entry || reviewWithheld(await this.quizzes.findOneBy({ id: entry.quizId }), new Date())) {
      throw new AssessmentException('QUESTION_NOT_FOUND');
    }
    const q = await this.questions.findOneByOrFail({ id: questionId });
    const check = checkResponse(q.type, q.parts, response);
    if (!check.ok) {
      throw new AssessmentException('INVALID_RESPONSE', { reasonKey: check.reason }, 'response');
    }
    const grade = gradeQuestion(q.type, q.parts, check.value);
    const now = new Date();
    const rightCount = entry.rightCount + (grade.correct ? 1 : 0);
    const cleared = rightCount >= RIGHT_TO_CLEAR;
    await this.tx.run((m) =>
      m
        .getRepository(NotebookEntryEntity)
        .update(
          { id: entry.id },
          { rightCount, practisedAt: now, clearedAt: cleared ? now : null },
        ),
    );
    const view = practiceView(q);
    return {
      correct: grade.correct,
      rightCount,
      rightNeeded: RIGHT_TO_CLEAR,
      cleared,
      review: {
        ...view,
        response: check.value,
        correct: grade.correct,
        credit: grade.credit,
        // Practice teaches: the right answer and the feedback are shown at once.
        correctAnswer: correctAnswer(q.type, q.parts),
        feedbackHtml: grade.responseFeedbackHtml,
        generalFeedbackHtml: q.parts.generalFeedbackHtml,
      },
    };
  }

  async practiceQuestion(actor: Actor, questionId: string): Promise<NotebookItem> {
    const item = (await this.list(actor)).items.find((i) => i.questionId === questionId);
    if (!item) {
      throw new AssessmentException('QUESTION_NOT_FOUND');
    }
    return item;
  }
}

/**
 * A quiz reviewed only after it closes, still open: which questions were wrong is part of the review it holds
 * back (the same rule as AttemptsService.view), so they stay out of the notebook until then.
 */
function reviewWithheld(quiz: QuizEntity | null | undefined, now: Date): boolean {
  return (
    quiz !== null &&
    quiz !== undefined &&
    quiz.reviewWhen === 'after_close' &&
    quiz.closesAt !== null &&
    quiz.closesAt > now
  );
}

/** A notebook question as shown for practice: options in a fresh order, nothing revealing the answer. */
function practiceView(q: QuestionEntity): OpenQuestionView {
  const p = q.parts;
  const view: OpenQuestionView = {
    id: q.id,
    type: q.type,
    number: 1,
    html: p.stemHtml,
    response: null,
  };
  if (p.options) {
    view.options = shuffled(p.options.map((o) => ({ id: o.id, html: o.html })));
  }
  if (q.type === 'matching') {
    view.left = (p.left ?? []).map((l) => ({ id: l.id, html: l.html }));
    view.right = shuffled((p.right ?? []).map((r) => ({ id: r.id, html: r.html })));
  }
  return view;
}
