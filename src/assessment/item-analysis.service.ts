import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { Actor, holdsRole, scopeRoots } from '../common/access/actor';
import { AssessmentScope, AUTHOR_ROLES } from './assessment-scope';
import {
  AttemptEntity,
  AttemptQuestionEntity,
  QuestionEntity,
  QuizEntity,
} from './assessment.entities';
import { AssessmentException } from './assessment.exception';
import { wrongChoiceKeys } from './grading';

export interface QuestionAnalysis {
  questionId: string;
  type: QuestionEntity['type'];
  html: string;
  /** Attempts in which the question was drawn. */
  answered: number;
  shareCorrect: number;
  mostChosenWrong: { label: string; count: number } | null;
  /** Share right in the top third of attempts minus share right in the bottom third; null below 3 attempts. */
  discrimination: number | null;
}

export interface QuizAnalysis {
  quizId: string;
  title: string;
  titleEn: string | null;
  courseSlug: string;
  /** True for a shared quiz, where only the trainer's own learners are counted. */
  ownLearnersOnly: boolean;
  attempts: number;
  learners: number;
  meanScorePercent: number | null;
  passRate: number | null;
  questions: QuestionAnalysis[];
}

const text = (html: string): string =>
  html
    .replace(/<[^>]*>/g, '')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .trim();
const round = (n: number, d = 4): number => Math.round(n * 10 ** d) / 10 ** d;

/** Item analysis of a quiz for trainers (which questions most people miss, and which tell strong from weak). */
@Injectable()
export class ItemAnalysisService {
  constructor(
    @InjectRepository(QuizEntity) private readonly quizzes: Repository<QuizEntity>,
    @InjectRepository(AttemptEntity) private readonly attempts: Repository<AttemptEntity>,
    @InjectRepository(AttemptQuestionEntity)
    private readonly attemptQuestions: Repository<AttemptQuestionEntity>,
    @InjectRepository(QuestionEntity) private readonly questions: Repository<QuestionEntity>,
    private readonly scope: AssessmentScope,
  ) {}

  /** Quizzes the trainer may analyse, with their number of graded attempts. */
  async quizzesFor(actor: Actor): Promise<
    Array<{
      id: string;
      title: string;
      titleEn: string | null;
      courseSlug: string;
      isFinal: boolean;
      shared: boolean;
    }>
  > {
    if (!holdsRole(actor, AUTHOR_ROLES)) {
      return [];
    }
    const all = await this.quizzes.find({ order: { courseSlug: 'ASC', createdAt: 'ASC' } });
    const out = [];
    for (const q of all) {
      if (await this.scope.canRead(actor, q.orgId)) {
        out.push({
          id: q.id,
          title: q.title,
          titleEn: q.titleEn,
          courseSlug: q.courseSlug,
          isFinal: q.lessonId === null,
          shared: q.orgId === null,
        });
      }
    }
    return out;
  }

  async forQuiz(actor: Actor, quizId: string): Promise<QuizAnalysis> {
    const quiz = await this.quizzes.findOneBy({ id: quizId });
    if (!quiz || !(await this.scope.canRead(actor, quiz.orgId))) {
      throw new AssessmentException('QUIZ_NOT_FOUND');
    }
    const ownLearnersOnly = quiz.orgId === null;
    const qb = this.attempts
      .createQueryBuilder('a')
      .where('a.quiz_id = :quizId', { quizId })
      .andWhere('a.status = :s', { s: 'submitted' });
    if (ownLearnersOnly) {
      // A shared quiz is taken across the city: count only learners inside the trainer's subtrees.
      const roots = scopeRoots(actor, AUTHOR_ROLES);
      qb.innerJoin('users', 'u', 'u.id = a.user_id').innerJoin('org_nodes', 'o', 'o.id = u.org_id');
      qb.andWhere(
        `(${roots.map((_, i) => `o.path LIKE :root${i}`).join(' OR ')})`,
        Object.fromEntries(roots.map((r, i) => [`root${i}`, `${r}%`])),
      );
    }
    const attempts = await qb.getMany();
    const base = {
      quizId: quiz.id,
      title: quiz.title,
      titleEn: quiz.titleEn,
      courseSlug: quiz.courseSlug,
      ownLearnersOnly,
    };
    if (attempts.length === 0) {
      return {
        ...base,
        attempts: 0,
        learners: 0,
        meanScorePercent: null,
        passRate: null,
        questions: [],
      };
    }
    const rows: AttemptQuestionEntity[] = [];
    const ids = attempts.map((a) => a.id);
    for (let i = 0; i < ids.length; i += 500) {
      rows.push(
        ...(await this.attemptQuestions.find({ where: { attemptId: In(ids.slice(i, i + 500)) } })),
      );
    }
    const questions = await this.questions.find({
      where: { id: In([...new Set(rows.map((r) => r.questionId))]) },
    });
    const byId = new Map(questions.map((q) => [q.id, q]));

    // Thirds by score, for discrimination.
    const ranked = [...attempts].sort((a, b) => (b.scorePercent ?? 0) - (a.scorePercent ?? 0));
    const third = Math.floor(ranked.length / 3);
    const top = new Set(ranked.slice(0, third).map((a) => a.id));
    const bottom = new Set(ranked.slice(ranked.length - third).map((a) => a.id));

    const perQuestion = new Map<string, AttemptQuestionEntity[]>();
    for (const r of rows) {
      perQuestion.set(r.questionId, [...(perQuestion.get(r.questionId) ?? []), r]);
    }
    const analyses: QuestionAnalysis[] = [];
    for (const [questionId, list] of perQuestion) {
      const q = byId.get(questionId);
      if (!q) {
        continue;
      }
      const correct = list.filter((r) => r.correct === true).length;
      const wrongCounts = new Map<string, number>();
      for (const r of list) {
        for (const key of wrongChoiceKeys(q.type, q.parts, r.response)) {
          wrongCounts.set(key, (wrongCounts.get(key) ?? 0) + 1);
        }
      }
      const worst = [...wrongCounts].sort((a, b) => b[1] - a[1])[0];
      const share = (set: Set<string>): number | null => {
        const inSet = list.filter((r) => set.has(r.attemptId));
        return inSet.length ? inSet.filter((r) => r.correct === true).length / inSet.length : null;
      };
      const topShare = third > 0 ? share(top) : null;
      const bottomShare = third > 0 ? share(bottom) : null;
      analyses.push({
        questionId,
        type: q.type,
        html: q.parts.stemHtml,
        answered: list.length,
        shareCorrect: round(correct / list.length),
        mostChosenWrong: worst ? { label: wrongLabel(q, worst[0]), count: worst[1] } : null,
        discrimination:
          topShare !== null && bottomShare !== null ? round(topShare - bottomShare) : null,
      });
    }
    // The questions most people miss first.
    analyses.sort((a, b) => a.shareCorrect - b.shareCorrect);
    const mean = attempts.reduce((s, a) => s + (a.scorePercent ?? 0), 0) / attempts.length;
    return {
      ...base,
      attempts: attempts.length,
      learners: new Set(attempts.map((a) => a.userId)).size,
      meanScorePercent: round(mean, 2),
      passRate: round(attempts.filter((a) => a.passed === true).length / attempts.length),
      questions: analyses,
    };
  }
}

function wrongLabel(q: QuestionEntity, key: string): string {
  const p = q.parts;
  if (q.type === 'single' || q.type === 'multiple') {
    return text(p.options?.find((o) => o.id === key)?.html ?? key);
  }
  if (q.type === 'matching') {
    const [l, r] = key.split('>');
    return `${text(p.left?.find((x) => x.id === l)?.html ?? '')} → ${text(p.right?.find((x) => x.id === r)?.html ?? '')}`;
  }
  return key;
}
