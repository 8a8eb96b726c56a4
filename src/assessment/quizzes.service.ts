import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { Actor, holdsRole } from '../common/access/actor';
import { TransactionService } from '../database/transaction.service';
import { AssessmentScope, AUTHOR_ROLES } from './assessment-scope';
import { AttemptEntity, QuestionEntity, QuizEntity } from './assessment.entities';
import { AssessmentException } from './assessment.exception';
import { BanksService } from './banks.service';
import { CourseLinks, CourseRef } from './course-links';
import { CreateQuizDto } from './dto/assessment.dto';
import { QuestionCache } from './question-cache';
import { newId } from '../common/ids';

export interface QuizAccess {
  quiz: QuizEntity;
  /** The actor is a trainer/admin who may see this quiz (not a learner taking it). */
  asAuthor: boolean;
  enrolled: boolean;
}

/** Quizzes: creation by trainers and who may see which quiz. */
@Injectable()
export class QuizzesService {
  constructor(
    @InjectRepository(QuizEntity) private readonly quizzes: Repository<QuizEntity>,
    @InjectRepository(QuestionEntity) private readonly questions: Repository<QuestionEntity>,
    @InjectRepository(AttemptEntity) private readonly attempts: Repository<AttemptEntity>,
    private readonly banks: BanksService,
    private readonly scope: AssessmentScope,
    private readonly courses: CourseLinks,
    private readonly tx: TransactionService,
    private readonly questionCache: QuestionCache,
  ) {}

  async create(actor: Actor, dto: CreateQuizDto): Promise<{ id: string }> {
    const bank = await this.banks.readable(actor, dto.bankId);
    const course = await this.courses.course(dto.courseSlug);
    if (!course) {
      throw new AssessmentException(
        'QUIZ_COURSE_NOT_FOUND',
        { slug: dto.courseSlug },
        'courseSlug',
      );
    }
    // A trainer attaches quizzes to courses their learners can see: shared ones, their subtree's, or one above.
    if (!(await this.scope.canUseCourse(actor, course.orgId))) {
      throw new AssessmentException(
        'QUIZ_COURSE_NOT_FOUND',
        { slug: dto.courseSlug },
        'courseSlug',
      );
    }
    let lessonId: string | null = null;
    if (dto.lessonId) {
      const lesson = await this.courses.lesson(dto.lessonId);
      if (!lesson || lesson.courseId !== course.id) {
        throw new AssessmentException('QUIZ_LESSON_NOT_FOUND', {}, 'lessonId');
      }
      lessonId = lesson.id;
    }
    const opensAt = dto.opensAt ? new Date(dto.opensAt) : null;
    const closesAt = dto.closesAt ? new Date(dto.closesAt) : null;
    if (opensAt && closesAt && closesAt <= opensAt) {
      throw new AssessmentException('QUIZ_SETTINGS_INVALID', { field: 'closesAt' }, 'closesAt');
    }
    const pool = await this.poolSize(bank.id, dto.tags ?? []);
    if (pool === 0) {
      throw new AssessmentException('QUIZ_HAS_NO_QUESTIONS', {}, 'tags');
    }
    const now = new Date();
    const quiz = this.quizzes.create({
      id: newId(),
      slug: null,
      bankId: bank.id,
      courseId: course.id,
      courseSlug: course.slug,
      lessonId,
      // The quiz belongs where its bank does, so the bank's trainers see its analysis.
      orgId: bank.orgId ?? course.orgId,
      title: dto.title,
      titleEn: dto.titleEn ?? null,
      questionCount: dto.questionCount ?? null,
      tags: dto.tags ?? [],
      passMark: dto.passMark,
      timeLimitSeconds: dto.timeLimitSeconds ?? null,
      attemptsAllowed: dto.attemptsAllowed ?? null,
      opensAt,
      closesAt,
      shuffleQuestions: dto.shuffleQuestions ?? false,
      shuffleOptions: dto.shuffleOptions ?? false,
      review: dto.review ?? 'feedback',
      reviewWhen: dto.reviewWhen ?? 'immediately',
      layout: dto.layout ?? 'all',
      createdBy: actor.userId,
      createdAt: now,
      updatedAt: now,
    });
    await this.tx.run((m) => m.getRepository(QuizEntity).insert(quiz));
    return { id: quiz.id };
  }

  /** How many active questions of a bank carry one of `tags` (any when empty). */
  async poolSize(bankId: string, tags: string[]): Promise<number> {
    const rows = await this.questions.find({
      where: { bankId, retired: false },
      select: { id: true, tags: true },
    });
    return rows.filter((q) => tags.length === 0 || q.tags.some((t) => tags.includes(t))).length;
  }

  /**
   * The quiz as the actor may see it: a trainer/admin in scope, or a learner of the quiz's org subtree (a
   * learner who is not enrolled sees the intro but may not start). Anything else is 404. The quiz is the shared
   * cached copy: read-only.
   */
  async access(actor: Actor, quizId: string): Promise<QuizAccess> {
    const quiz = await this.questionCache.quiz(this.quizzes.manager, quizId);
    if (!quiz) {
      throw new AssessmentException('QUIZ_NOT_FOUND');
    }
    const asAuthor =
      holdsRole(actor, AUTHOR_ROLES) && (await this.scope.canRead(actor, quiz.orgId));
    const enrolled = await this.courses.isEnrolled(actor.userId, quiz.courseId);
    if (!asAuthor && !(await this.scope.learnerMayTake(actor, quiz.orgId))) {
      throw new AssessmentException('QUIZ_NOT_FOUND');
    }
    return { quiz, asAuthor, enrolled };
  }

  async course(quiz: QuizEntity): Promise<CourseRef | null> {
    return this.courses.course(quiz.courseSlug);
  }

  async lessonTitle(quiz: QuizEntity): Promise<{ title: string; titleEn: string | null } | null> {
    if (!quiz.lessonId) {
      return null;
    }
    return (await this.courses.lessonTitles([quiz.lessonId])).get(quiz.lessonId) ?? null;
  }

  /** The quizzes of a course, for the course page and GET /courses/:slug. */
  async forCourse(
    actor: Actor,
    courseId: string,
  ): Promise<
    Array<{
      id: string;
      title: string;
      titleEn: string | null;
      lessonId: string | null;
      isFinal: boolean;
      passed: boolean;
    }>
  > {
    const rows = await this.quizzes.find({ where: { courseId }, order: { createdAt: 'ASC' } });
    const visible: QuizEntity[] = [];
    for (const quiz of rows) {
      if (
        (await this.scope.learnerMayTake(actor, quiz.orgId)) ||
        (await this.scope.canRead(actor, quiz.orgId))
      ) {
        visible.push(quiz);
      }
    }
    const passed = visible.length
      ? await this.attempts.find({
          where: { userId: actor.userId, quizId: In(visible.map((q) => q.id)), passed: true },
          select: { quizId: true },
        })
      : [];
    const passedIds = new Set(passed.map((a) => a.quizId));
    // Final tests last, after the lessons' practice quizzes.
    return visible
      .map((q) => ({
        id: q.id,
        title: q.title,
        titleEn: q.titleEn,
        lessonId: q.lessonId,
        isFinal: q.lessonId === null,
        passed: passedIds.has(q.id),
      }))
      .sort((a, b) => Number(a.isFinal) - Number(b.isFinal));
  }
}
