import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { namedQuery } from '../database/named-query';
import { AttemptEntity } from './assessment.entities';

export interface PassedQuiz {
  quizId: string;
  courseId: string;
  scorePercent: number;
  passedAt: Date;
  /** A course's final test (not a lesson's practice quiz). */
  isFinal: boolean;
}

interface PassedAttemptRow {
  quiz_id: string;
  score_percent: number | string | null;
  submitted_at: string | null;
  started_at: string;
  course_id: string;
  lesson_id: string | null;
}

/** What other modules (certification, reports) read from assessment. */
@Injectable()
export class AssessmentService {
  constructor(
    @InjectRepository(AttemptEntity) private readonly attempts: Repository<AttemptEntity>,
  ) {}

  /**
   * Each quiz the person has passed, once, with their best passing score and when they first passed. One joined
   * read of the columns it needs: certification asks after every check-in and lesson, and hydrating a person's
   * ~60 passed attempts of five years as entities, then their quizzes, took 1.8 ms of the ~4.8 ms evaluation.
   */
  async passedQuizzes(userId: string): Promise<PassedQuiz[]> {
    const rows = await namedQuery<PassedAttemptRow[]>(
      this.attempts.manager,
      `SELECT a.quiz_id AS quiz_id, a.score_percent AS score_percent, a.submitted_at AS submitted_at,
         a.started_at AS started_at, q.course_id AS course_id, q.lesson_id AS lesson_id
       FROM quiz_attempts a INNER JOIN quizzes q ON q.id = a.quiz_id
       WHERE a.user_id = :userId AND a.passed = :passed
       ORDER BY a.submitted_at ASC`,
      { userId, passed: true },
    );
    const out = new Map<string, PassedQuiz>();
    for (const a of rows) {
      // Numbers as both databases return them (PostgreSQL's double precision may come back as text).
      const score = a.score_percent === null ? 0 : Number(a.score_percent);
      const seen = out.get(a.quiz_id);
      if (!seen) {
        out.set(a.quiz_id, {
          quizId: a.quiz_id,
          courseId: a.course_id,
          scorePercent: score,
          passedAt: new Date(a.submitted_at ?? a.started_at),
          isFinal: a.lesson_id === null,
        });
      } else if (score > seen.scorePercent) {
        seen.scorePercent = score;
      }
    }
    return [...out.values()];
  }
}
