import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomInt } from 'node:crypto';
import { EntityManager, LessThan, Repository } from 'typeorm';
import { Actor } from '../common/access/actor';
import { isUniqueViolation } from '../database/db-errors';
import { SqliteReaders } from '../database/sqlite-readers';
import { TransactionService } from '../database/transaction.service';
import { QuestionCache } from './question-cache';
import { AssessmentScope } from './assessment-scope';
import {
  AttemptEntity,
  AttemptQuestionEntity,
  QuestionEntity,
  QuizEntity,
} from './assessment.entities';
import { AssessmentException } from './assessment.exception';
import {
  AttemptView,
  OpenQuestionView,
  toAttemptSummary,
  toOpenQuestion,
  toReviewQuestion,
} from './assessment.view';
import { AnswerWriter } from './answer-writer';
import { AttemptGradingService } from './attempt-grading.service';
import { checkResponse } from './grading';
import { QuizzesService } from './quizzes.service';
import { newId } from '../common/ids';
import { namedQuery } from '../database/named-query';

/** How often open attempts past their deadline are closed even when nobody touches them. */
const SWEEP_MS = 30_000;

export function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export interface StartedAttempt {
  attemptId: string;
  deadline: string | null;
  /** True when an attempt already in progress was returned instead of a new one. */
  resumed: boolean;
  questions: OpenQuestionView[];
}

/** Starting, answering, submitting and reading attempts. */
@Injectable()
export class AttemptsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Attempts');
  private timer?: NodeJS.Timeout;
  /** The sweep running now, and whether the application is shutting down. */
  private sweeping: Promise<number> | null = null;
  private stopping = false;

  constructor(
    @InjectRepository(AttemptEntity) private readonly attempts: Repository<AttemptEntity>,
    @InjectRepository(AttemptQuestionEntity)
    private readonly attemptQuestions: Repository<AttemptQuestionEntity>,
    @InjectRepository(QuestionEntity) private readonly questions: Repository<QuestionEntity>,
    @InjectRepository(QuizEntity) private readonly quizzes: Repository<QuizEntity>,
    private readonly quizService: QuizzesService,
    private readonly grading: AttemptGradingService,
    private readonly scope: AssessmentScope,
    private readonly tx: TransactionService,
    private readonly questionCache: QuestionCache,
    private readonly readers: SqliteReaders,
    private readonly answers: AnswerWriter,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => {
      void this.sweep().catch((error: unknown) =>
        this.logger.error(`sweep failed: ${String(error)}`),
      );
    }, SWEEP_MS);
    // The sweep must never keep a CLI command or a test process alive.
    this.timer.unref();
  }

  /**
   * Stops the timer and waits for a sweep that is running; it stops after the attempt it is grading. TypeORM closes
   * the database after this hook: a sweep still grading the overdue attempts of an exam storm went on into a closed
   * handle (SQLITE_MISUSE at shutdown, seen in the bench). Attempts left open are closed by the first sweep after
   * the restart.
   */
  async onModuleDestroy(): Promise<void> {
    if (this.timer) {
      clearInterval(this.timer);
    }
    this.stopping = true;
    await this.sweeping?.catch(() => undefined);
  }

  /**
   * Closes and grades every open attempt whose deadline has passed, from the answers saved (up to 200 a sweep).
   * One sweep at a time: a call while one runs gets that one's count.
   */
  sweep(now = new Date()): Promise<number> {
    this.sweeping ??= this.gradeOverdue(now).finally(() => {
      this.sweeping = null;
    });
    return this.sweeping;
  }

  private async gradeOverdue(now: Date): Promise<number> {
    const due = await this.attempts.find({
      where: { status: 'open', deadline: LessThan(now) },
      select: { id: true },
      take: 200,
    });
    let graded = 0;
    for (const a of due) {
      if (this.stopping) {
        break;
      }
      await this.grading.closeByDeadline(a.id);
      graded++;
    }
    return graded;
  }

  async start(actor: Actor, quizId: string): Promise<StartedAttempt> {
    const { quiz, enrolled } = await this.quizService.access(actor, quizId);
    if (!enrolled) {
      throw new AssessmentException('NOT_ENROLLED');
    }
    const now = new Date();
    if (quiz.opensAt && quiz.opensAt > now) {
      throw new AssessmentException('QUIZ_NOT_OPEN', { at: quiz.opensAt.toISOString() });
    }
    if (quiz.closesAt && quiz.closesAt <= now) {
      throw new AssessmentException('QUIZ_CLOSED');
    }
    await this.closeOverdue(quiz.id, actor.userId);
    // Two concurrent starts on PostgreSQL may both count n attempts and both insert number n+1: the unique
    // (quiz, user, number) lets one through; the other retries and then resumes it or finds none left.
    for (let tries = 0; ; tries++) {
      try {
        // Replayable: the question cache it may fill holds what the database says whichever run fills it.
        return await this.tx.runReplayable((m) => this.startIn(m, quiz, actor.userId));
      } catch (error) {
        if (!isUniqueViolation(error) || tries >= 4) {
          throw error;
        }
      }
    }
  }

  private async startIn(
    m: EntityManager,
    quiz: QuizEntity,
    userId: string,
  ): Promise<StartedAttempt> {
    const repo = m.getRepository(AttemptEntity);
    const mine = await repo.find({ where: { quizId: quiz.id, userId }, order: { number: 'DESC' } });
    const now = new Date();
    const open = mine.find((a) => a.status === 'open' && (!a.deadline || a.deadline > now));
    if (open) {
      return { ...(await this.openView(m, open)), resumed: true };
    }
    if (quiz.attemptsAllowed !== null && mine.length >= quiz.attemptsAllowed) {
      throw new AssessmentException('NO_ATTEMPTS_LEFT', { n: quiz.attemptsAllowed });
    }
    const pool = (await this.questionCache.pool(m, quiz.bankId)).filter(
      (q) => quiz.tags.length === 0 || q.tags.some((t) => quiz.tags.includes(t)),
    );
    if (pool.length === 0) {
      throw new AssessmentException('QUIZ_HAS_NO_QUESTIONS');
    }
    const count = Math.min(quiz.questionCount ?? pool.length, pool.length);
    let drawn = count < pool.length ? shuffled(pool).slice(0, count) : pool;
    drawn = quiz.shuffleQuestions
      ? shuffled(drawn)
      : [...drawn].sort((a, b) => a.position - b.position);
    const limits = [
      quiz.timeLimitSeconds ? now.getTime() + quiz.timeLimitSeconds * 1000 : Infinity,
      quiz.closesAt?.getTime() ?? Infinity,
    ];
    const end = Math.min(...limits);
    const attempt = repo.create({
      id: newId(),
      quizId: quiz.id,
      userId,
      number: (mine[0]?.number ?? 0) + 1,
      status: 'open',
      startedAt: now,
      deadline: Number.isFinite(end) ? new Date(end) : null,
      submittedAt: null,
      autoSubmitted: false,
      score: null,
      maxScore: drawn.length,
      scorePercent: null,
      passed: null,
    });
    const rows = drawn.map((q, i) => {
      const order = <T>(items: T[]): T[] => (quiz.shuffleOptions ? shuffled(items) : items);
      const layout =
        q.type === 'matching'
          ? // The right column is always shuffled: in authored order it would line up with the left one.
            {
              left: order((q.parts.left ?? []).map((l) => l.id)),
              right: shuffled((q.parts.right ?? []).map((r) => r.id)),
            }
          : q.type === 'single' || q.type === 'multiple'
            ? { options: order((q.parts.options ?? []).map((o) => o.id)) }
            : {};
      return m.getRepository(AttemptQuestionEntity).create({
        id: newId(),
        attemptId: attempt.id,
        questionId: q.id,
        position: i + 1,
        layout,
        response: null,
        answeredAt: null,
        credit: null,
        correct: null,
      });
    });
    await this.insertStarted(m, attempt, rows);
    // What was just written, as written: no read back (an exam start is the busiest moment there is).
    return {
      attemptId: attempt.id,
      deadline: attempt.deadline?.toISOString() ?? null,
      questions: rows.map((aq, i) => toOpenQuestion(drawn[i], aq)),
      resumed: false,
    };
  }

  /**
   * The attempt and its questions as two INSERTs written as SQL: through the entities they were ~16% of an exam
   * start's CPU in its profile (building the multi-row statement, then reading the rows back for their defaults).
   */
  private async insertStarted(
    m: EntityManager,
    attempt: AttemptEntity,
    rows: AttemptQuestionEntity[],
  ): Promise<void> {
    await namedQuery(
      m,
      `INSERT INTO quiz_attempts (id, quiz_id, user_id, number, status, started_at, deadline, submitted_at,
         auto_submitted, score, max_score, score_percent, passed)
       VALUES (:id, :quizId, :userId, :number, :status, :startedAt, :deadline, NULL, FALSE, NULL, :maxScore,
         NULL, NULL)`,
      {
        id: attempt.id,
        quizId: attempt.quizId,
        userId: attempt.userId,
        number: attempt.number,
        status: attempt.status,
        startedAt: attempt.startedAt.toISOString(),
        deadline: attempt.deadline?.toISOString() ?? null,
        maxScore: attempt.maxScore,
      },
    );
    if (rows.length === 0) {
      return;
    }
    const params: Record<string, unknown> = { attemptId: attempt.id };
    const values = rows.map((row, k) => {
      params[`id${k}`] = row.id;
      params[`question${k}`] = row.questionId;
      params[`layout${k}`] = JSON.stringify(row.layout);
      return `(:id${k}, :attemptId, :question${k}, ${row.position}, :layout${k}, NULL, NULL, NULL, NULL)`;
    });
    await namedQuery(
      m,
      `INSERT INTO attempt_questions (id, attempt_id, question_id, position, layout, response, answered_at,
         credit, correct) VALUES ${values.join(', ')}`,
      params,
    );
  }

  private async openView(
    m: EntityManager,
    attempt: AttemptEntity,
  ): Promise<Omit<StartedAttempt, 'resumed'>> {
    const { rows, byId } = await this.loadQuestions(attempt.id, m);
    return {
      attemptId: attempt.id,
      deadline: attempt.deadline?.toISOString() ?? null,
      questions: rows.flatMap((aq) => {
        const q = byId.get(aq.questionId);
        return q ? [toOpenQuestion(q, aq)] : [];
      }),
    };
  }

  /**
   * Saves one answer. The usual case costs one write and no read: the response is checked against the cached
   * question, and the UPDATE itself checks that the attempt is the actor's, still open and before its deadline,
   * and holds the question. Only when that matches nothing (or the question or response is refused) are the
   * checks run one by one, in the order that picks the error: the attempt (404, closed if overdue), then the
   * question (400), then the response (400).
   */
  async saveAnswer(
    actor: Actor,
    attemptId: string,
    questionId: string,
    response: unknown,
  ): Promise<{ questionId: string; savedAt: string }> {
    const question =
      typeof questionId === 'string' && questionId.length <= 36
        ? (await this.questionCache.byIds(this.questions.manager, [questionId])).get(questionId)
        : undefined;
    const check = question ? checkResponse(question.type, question.parts, response) : null;
    if (check?.ok) {
      const savedAt = await this.storeAnswer(actor.userId, attemptId, questionId, check.value);
      if (savedAt) {
        return { questionId, savedAt: savedAt.toISOString() };
      }
    }
    const attempt = await this.own(actor, attemptId);
    if (attempt.status !== 'open') {
      throw new AssessmentException('ATTEMPT_CLOSED');
    }
    const row = await this.attemptQuestions.findOneBy({ attemptId, questionId });
    if (!row || !question || !check) {
      throw new AssessmentException('QUESTION_NOT_IN_ATTEMPT', {}, 'questionId');
    }
    if (!check.ok) {
      throw new AssessmentException('INVALID_RESPONSE', { reasonKey: check.reason }, 'response');
    }
    // Open and holding the question, yet the write matched nothing: the deadline passed in between.
    const savedAt = await this.storeAnswer(actor.userId, attemptId, questionId, check.value);
    if (!savedAt) {
      throw new AssessmentException('ATTEMPT_CLOSED');
    }
    return { questionId, savedAt: savedAt.toISOString() };
  }

  /**
   * The write of an answer, refused atomically unless the attempt is the person's, open and before its deadline:
   * when it was written, or null. Concurrent answers are written together (see AnswerWriter).
   */
  private storeAnswer(
    userId: string,
    attemptId: string,
    questionId: string,
    response: unknown,
  ): Promise<Date | null> {
    if (typeof attemptId !== 'string' || attemptId.length > 36) {
      return Promise.resolve(null);
    }
    return this.answers.write({
      userId,
      attemptId,
      questionId,
      response: response === null || response === undefined ? null : JSON.stringify(response),
    });
  }

  async submit(
    actor: Actor,
    attemptId: string,
  ): Promise<{
    attemptId: string;
    score: number;
    maxScore: number;
    scorePercent: number;
    passed: boolean;
  }> {
    // Owner, status and deadline are checked inside the grading transaction, which answers the grade it gave:
    // a submit is one read and the grading's writes (the entity reads before and after it were ~a fifth of its
    // statements). Only an attempt found closed already is read back, once that transaction is done.
    const outcome = await this.grading.submitOwn(attemptId, actor.userId);
    if (outcome.state === 'missing') {
      throw new AssessmentException('ATTEMPT_NOT_FOUND');
    }
    if (outcome.state === 'graded') {
      return { attemptId, ...outcome.score };
    }
    const done = await this.grading.stored(attemptId);
    return {
      attemptId: done.id,
      score: done.score ?? 0,
      maxScore: done.maxScore,
      scorePercent: done.scorePercent ?? 0,
      passed: done.passed === true,
    };
  }

  /** The attempt as its owner (per the review policy) or a trainer in scope (everything) may see it. */
  async view(
    actor: Actor,
    attemptId: string,
  ): Promise<AttemptView & { quiz: QuizEntity; asAuthor: boolean }> {
    const attempt = await this.touch(await this.findVisible(actor, attemptId));
    const quiz = await this.quizzes.findOneByOrFail({ id: attempt.quizId });
    const asAuthor = attempt.userId !== actor.userId;
    const { rows, byId } = await this.loadQuestions(attempt.id);
    const now = new Date();
    let review: AttemptView['review'] = 'none';
    let reviewFrom: string | undefined;
    if (attempt.status === 'submitted') {
      const waiting =
        !asAuthor &&
        quiz.reviewWhen === 'after_close' &&
        quiz.closesAt !== null &&
        quiz.closesAt > now;
      review = asAuthor ? 'feedback' : waiting ? 'score_only' : quiz.review;
      reviewFrom = waiting ? quiz.closesAt?.toISOString() : undefined;
    }
    const questions = rows.flatMap((aq) => {
      const q = byId.get(aq.questionId);
      if (!q) {
        return [];
      }
      return [review === 'none' ? toOpenQuestion(q, aq) : toReviewQuestion(q, aq, review)];
    });
    return {
      ...toAttemptSummary(attempt),
      review,
      ...(reviewFrom ? { reviewFrom } : {}),
      questions,
      quiz,
      asAuthor,
    };
  }

  /** The actor's attempts at a quiz, newest first (closing overdue ones first). */
  async mine(actor: Actor, quizId: string): Promise<AttemptEntity[]> {
    await this.closeOverdue(quizId, actor.userId);
    return this.attempts.find({
      where: { quizId, userId: actor.userId },
      order: { number: 'DESC' },
    });
  }

  /** An attempt still open at its deadline is closed and graded on the next request that touches it. */
  private async touch(attempt: AttemptEntity): Promise<AttemptEntity> {
    if (attempt.status === 'open' && attempt.deadline && attempt.deadline <= new Date()) {
      return this.grading.finalize(attempt.id);
    }
    return attempt;
  }

  private async closeOverdue(quizId: string, userId: string): Promise<void> {
    // On a lookup connection (every start asks, and almost always finds nothing); deadlines are ISO strings.
    const due = await this.readers.lookup(
      `SELECT id FROM quiz_attempts
       WHERE quiz_id = :quizId AND user_id = :userId AND status = 'open' AND deadline < :now`,
      { quizId, userId, now: new Date().toISOString() },
    );
    for (const a of due as Array<{ id: string }>) {
      await this.grading.closeByDeadline(a.id);
    }
  }

  /** The actor's own attempt (closed first if overdue), else 404. */
  private async own(actor: Actor, attemptId: string): Promise<AttemptEntity> {
    const attempt = await this.attempts.findOneBy({ id: attemptId, userId: actor.userId });
    if (!attempt) {
      throw new AssessmentException('ATTEMPT_NOT_FOUND');
    }
    return this.touch(attempt);
  }

  private async findVisible(actor: Actor, attemptId: string): Promise<AttemptEntity> {
    const attempt = await this.attempts.findOneBy({ id: attemptId });
    if (!attempt) {
      throw new AssessmentException('ATTEMPT_NOT_FOUND');
    }
    if (attempt.userId === actor.userId) {
      return attempt;
    }
    // A trainer sees attempts at quizzes in their subtree.
    const quiz = await this.quizzes.findOneBy({ id: attempt.quizId });
    if (!quiz || quiz.orgId === null || !(await this.scope.canRead(actor, quiz.orgId))) {
      throw new AssessmentException('ATTEMPT_NOT_FOUND');
    }
    return attempt;
  }

  private async loadQuestions(
    attemptId: string,
    m?: EntityManager,
  ): Promise<{ rows: AttemptQuestionEntity[]; byId: Map<string, QuestionEntity> }> {
    const manager = m ?? this.attemptQuestions.manager;
    const rows = await manager
      .getRepository(AttemptQuestionEntity)
      .find({ where: { attemptId }, order: { position: 'ASC' } });
    return {
      rows,
      byId: await this.questionCache.byIds(
        manager,
        rows.map((r) => r.questionId),
      ),
    };
  }
}
