import { EntityManager } from 'typeorm';
import { DemoContext } from '../demo/demo.service';
import {
  AttemptEntity,
  AttemptQuestionEntity,
  QuestionEntity,
  QuizEntity,
} from './assessment.entities';
import { AttemptGradingService } from './attempt-grading.service';
import { CourseLinks } from './course-links';
import { AnswerResponse } from './grading';
import { QuestionParts } from './question-parts';
import { newId } from '../common/ids';

function rightResponse(type: QuestionEntity['type'], p: QuestionParts): AnswerResponse {
  switch (type) {
    case 'single':
      return (p.options ?? []).reduce((best, o) => (o.weight > best.weight ? o : best)).id;
    case 'multiple':
      return (p.options ?? []).filter((o) => o.weight > 0).map((o) => o.id);
    case 'truefalse':
      return p.answer === true;
    case 'shortanswer':
      return p.accepted?.[0]?.text ?? '';
    case 'numerical':
      return p.numeric?.[0]?.value ?? 0;
    case 'matching':
      return Object.fromEntries((p.left ?? []).map((l) => [l.id, l.rightId]));
  }
}

/** A plausible mistake: the most tempting wrong option, the other truth value, a near miss. */
function wrongResponse(
  type: QuestionEntity['type'],
  p: QuestionParts,
  seed: number,
): AnswerResponse {
  switch (type) {
    case 'single': {
      const wrong = (p.options ?? []).filter((o) => o.weight < 100);
      return (wrong[seed % Math.max(wrong.length, 1)] ?? (p.options ?? [])[0])?.id ?? '';
    }
    case 'multiple': {
      const right = (p.options ?? []).filter((o) => o.weight > 0).map((o) => o.id);
      const wrong = (p.options ?? []).filter((o) => o.weight <= 0).map((o) => o.id);
      return [...right.slice(0, 1), ...wrong.slice(0, 1)];
    }
    case 'truefalse':
      return p.answer !== true;
    case 'shortanswer':
      return '不清楚';
    case 'numerical':
      return (p.numeric?.[0]?.value ?? 0) + 7;
    case 'matching': {
      const left = p.left ?? [];
      return Object.fromEntries(
        left.map((l, i) => [l.id, (left[(i + 1) % left.length] as { rightId: string }).rightId]),
      );
    }
  }
}

async function takeQuiz(
  m: EntityManager,
  grading: AttemptGradingService,
  quiz: QuizEntity,
  userId: string,
  at: Date,
  isWrong: (index: number) => boolean,
): Promise<void> {
  const pool = (
    await m
      .getRepository(QuestionEntity)
      .find({ where: { bankId: quiz.bankId, retired: false }, order: { position: 'ASC' } })
  ).filter((q) => quiz.tags.length === 0 || q.tags.some((t) => quiz.tags.includes(t)));
  const drawn = pool.slice(0, quiz.questionCount ?? pool.length);
  const number = (await m.getRepository(AttemptEntity).countBy({ quizId: quiz.id, userId })) + 1;
  const started = new Date(at.getTime() - 12 * 60_000);
  const attempt = m.getRepository(AttemptEntity).create({
    id: newId(),
    quizId: quiz.id,
    userId,
    number,
    status: 'submitted',
    startedAt: started,
    deadline: quiz.timeLimitSeconds
      ? new Date(started.getTime() + quiz.timeLimitSeconds * 1000)
      : null,
    submittedAt: at,
    autoSubmitted: false,
    score: null,
    maxScore: drawn.length,
    scorePercent: null,
    passed: null,
  });
  await m.getRepository(AttemptEntity).insert(attempt);
  await m.getRepository(AttemptQuestionEntity).insert(
    drawn.map((q, i) =>
      m.getRepository(AttemptQuestionEntity).create({
        id: newId(),
        attemptId: attempt.id,
        questionId: q.id,
        position: i + 1,
        layout:
          q.type === 'matching'
            ? {
                left: (q.parts.left ?? []).map((l) => l.id),
                right: (q.parts.right ?? []).map((r) => r.id),
              }
            : q.parts.options
              ? { options: q.parts.options.map((o) => o.id) }
              : {},
        response: isWrong(i) ? wrongResponse(q.type, q.parts, i) : rightResponse(q.type, q.parts),
        answeredAt: at,
        credit: null,
        correct: null,
      }),
    ),
  );
  await grading.grade(m, attempt, at);
}

/**
 * Demo: the cadre passed the final test of the course they finished (two slips go into the
 * notebook), and a dozen colleagues took the final tests so item analysis has something to show.
 */
export async function seedAssessment(
  ctx: DemoContext,
  grading: AttemptGradingService,
  courses: CourseLinks,
): Promise<void> {
  const m = ctx.manager;
  const finals = await m.getRepository(QuizEntity).find();
  const finalOf = (slug: string): QuizEntity | undefined =>
    finals.find((q) => q.courseSlug === slug && q.lessonId === null);
  const daysAgo = (d: number): Date => new Date(Date.now() - d * 86_400_000);

  const cadre = ctx.accounts.cadre;
  // The learning demo has the cadre finish first-30-days twelve days ago.
  for (const [slug, wrong, ago] of [['first-30-days', [2, 5], 11]] as const) {
    const quiz = finalOf(slug);
    if (!quiz) {
      continue;
    }
    await courses.ensureEnrolled(cadre.id, quiz.courseId, m);
    await takeQuiz(m, grading, quiz, cadre.id, daysAgo(ago), (i) =>
      (wrong as readonly number[]).includes(i),
    );
  }

  // Colleagues of varied strength; the pattern makes some questions hard for everyone and some only for the weak.
  const colleagues = ctx.people
    .filter((p) => !Object.values(ctx.accounts).some((a) => a.id === p.id))
    .slice(0, 12);
  const quizzes = ['first-30-days', 'neighbour-mediation']
    .map(finalOf)
    .filter((q): q is QuizEntity => q !== undefined);
  for (const quiz of quizzes) {
    for (const [k, person] of colleagues.entries()) {
      await courses.ensureEnrolled(person.id, quiz.courseId, m);
      const strength = k % 4;
      await takeQuiz(
        m,
        grading,
        quiz,
        person.id,
        daysAgo(3 + (k % 10)),
        (i) => (i + k) % 5 < 3 - strength || (i === 4 && strength < 3),
      );
    }
  }
}
