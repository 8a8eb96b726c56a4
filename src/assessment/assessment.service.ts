import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { AttemptEntity, QuizEntity } from './assessment.entities';

export interface PassedQuiz {
  quizId: string;
  courseId: string;
  scorePercent: number;
  passedAt: Date;
  /** A course's final test (not a lesson's practice quiz). */
  isFinal: boolean;
}

/** What other modules (certification, reports) read from assessment. */
@Injectable()
export class AssessmentService {
  constructor(
    @InjectRepository(AttemptEntity) private readonly attempts: Repository<AttemptEntity>,
    @InjectRepository(QuizEntity) private readonly quizzes: Repository<QuizEntity>,
  ) {}

  /** Each quiz the person has passed, once, with their best passing score and when they first passed. */
  async passedQuizzes(userId: string): Promise<PassedQuiz[]> {
    const passed = await this.attempts.find({
      where: { userId, passed: true },
      order: { submittedAt: 'ASC' },
    });
    if (passed.length === 0) {
      return [];
    }
    const quizzes = new Map(
      (
        await this.quizzes.find({ where: { id: In([...new Set(passed.map((a) => a.quizId))]) } })
      ).map((q) => [q.id, q]),
    );
    const out = new Map<string, PassedQuiz>();
    for (const a of passed) {
      const quiz = quizzes.get(a.quizId);
      if (!quiz) {
        continue;
      }
      const seen = out.get(a.quizId);
      if (!seen) {
        out.set(a.quizId, {
          quizId: a.quizId,
          courseId: quiz.courseId,
          scorePercent: a.scorePercent ?? 0,
          passedAt: a.submittedAt ?? a.startedAt,
          isFinal: quiz.lessonId === null,
        });
      } else if ((a.scorePercent ?? 0) > seen.scorePercent) {
        seen.scorePercent = a.scorePercent ?? 0;
      }
    }
    return [...out.values()];
  }
}
