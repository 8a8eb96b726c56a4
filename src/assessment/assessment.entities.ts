import { Column, Entity, PrimaryColumn } from 'typeorm';
import { hoursColumn, instantColumn, jsonColumn } from '../database/columns';
import { Difficulty, QuestionType, QuizReview, TextFormat } from './formats';
import { AnswerResponse } from './grading';
import { QuestionParts, QuestionSource } from './question-parts';

export type ReviewWhen = 'immediately' | 'after_close';
export const REVIEW_WHENS: readonly ReviewWhen[] = ['immediately', 'after_close'];
export type QuizLayout = 'all' | 'one';
export const QUIZ_LAYOUTS: readonly QuizLayout[] = ['all', 'one'];
export type AttemptStatus = 'open' | 'submitted';

/** A question bank, owned by an organisation node (null: shipped content, owned by the whole platform). */
@Entity('question_banks')
export class QuestionBankEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** Set for banks from content/banks/<slug>.md. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  slug!: string | null;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  nameEn!: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  orgId!: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  courseSlug!: string | null;

  /** sha256 of the content file last imported, so an unchanged file changes nothing. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  sourceHash!: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  createdBy!: string | null;

  @Column(instantColumn())
  createdAt!: Date;

  @Column(instantColumn())
  updatedAt!: Date;
}

/**
 * A question. Never edited in place: a changed question becomes a new row and the old one is retired, so
 * attempts and notebook entries keep pointing at what the learner actually saw.
 */
@Entity('questions')
export class QuestionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 36 })
  bankId!: string;

  @Column({ type: 'varchar', length: 64 })
  fingerprint!: string;

  @Column({ type: 'integer' })
  position!: number;

  @Column({ type: 'varchar', length: 16 })
  type!: QuestionType;

  @Column({ type: 'varchar', length: 200, nullable: true })
  title!: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  category!: string | null;

  @Column({ type: 'varchar', length: 16 })
  textFormat!: TextFormat;

  @Column(jsonColumn<string[]>())
  tags!: string[];

  @Column({ type: 'varchar', length: 8, nullable: true })
  difficulty!: Difficulty | null;

  /** As authored (for export). */
  @Column(jsonColumn<QuestionSource>())
  source!: QuestionSource;

  /** Rendered HTML and the grading key. */
  @Column(jsonColumn<QuestionParts>())
  parts!: QuestionParts;

  @Column({ type: 'boolean', default: false })
  retired!: boolean;

  @Column(instantColumn())
  createdAt!: Date;
}

@Entity('quizzes')
export class QuizEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** Set for quizzes declared in a content bank's front matter. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  slug!: string | null;

  @Column({ type: 'varchar', length: 36 })
  bankId!: string;

  @Column({ type: 'varchar', length: 36 })
  courseId!: string;

  @Column({ type: 'varchar', length: 100 })
  courseSlug!: string;

  @Column({ type: 'varchar', length: 36, nullable: true })
  lessonId!: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  orgId!: string | null;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  titleEn!: string | null;

  @Column({ type: 'integer', nullable: true })
  questionCount!: number | null;

  @Column(jsonColumn<string[]>())
  tags!: string[];

  @Column({ type: 'integer' })
  passMark!: number;

  @Column({ type: 'integer', nullable: true })
  timeLimitSeconds!: number | null;

  @Column({ type: 'integer', nullable: true })
  attemptsAllowed!: number | null;

  @Column(instantColumn({ nullable: true }))
  opensAt!: Date | null;

  @Column(instantColumn({ nullable: true }))
  closesAt!: Date | null;

  @Column({ type: 'boolean', default: false })
  shuffleQuestions!: boolean;

  @Column({ type: 'boolean', default: false })
  shuffleOptions!: boolean;

  @Column({ type: 'varchar', length: 16 })
  review!: QuizReview;

  @Column({ type: 'varchar', length: 16 })
  reviewWhen!: ReviewWhen;

  @Column({ type: 'varchar', length: 8 })
  layout!: QuizLayout;

  @Column({ type: 'varchar', length: 36, nullable: true })
  createdBy!: string | null;

  @Column(instantColumn())
  createdAt!: Date;

  @Column(instantColumn())
  updatedAt!: Date;
}

@Entity('quiz_attempts')
export class AttemptEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 36 })
  quizId!: string;

  @Column({ type: 'varchar', length: 36 })
  userId!: string;

  /** 1, 2, ...: unique per quiz and person, so concurrent starts cannot exceed the attempts allowed. */
  @Column({ type: 'integer' })
  number!: number;

  @Column({ type: 'varchar', length: 16 })
  status!: AttemptStatus;

  @Column(instantColumn())
  startedAt!: Date;

  @Column(instantColumn({ nullable: true }))
  deadline!: Date | null;

  @Column(instantColumn({ nullable: true }))
  submittedAt!: Date | null;

  /** Set when the deadline closed the attempt rather than the learner. */
  @Column({ type: 'boolean', default: false })
  autoSubmitted!: boolean;

  @Column(hoursColumn({ nullable: true }))
  score!: number | null;

  @Column({ type: 'integer' })
  maxScore!: number;

  @Column(hoursColumn({ nullable: true }))
  scorePercent!: number | null;

  @Column({ type: 'boolean', nullable: true })
  passed!: boolean | null;
}

/** One question of one attempt, in the order and option order the learner saw, with their answer. */
@Entity('attempt_questions')
export class AttemptQuestionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 36 })
  attemptId!: string;

  @Column({ type: 'varchar', length: 36 })
  questionId!: string;

  @Column({ type: 'integer' })
  position!: number;

  /** Option ids (single, multiple) or left ids (matching) in display order, and right ids for matching. */
  @Column(jsonColumn<{ options?: string[]; left?: string[]; right?: string[] }>())
  layout!: { options?: string[]; left?: string[]; right?: string[] };

  @Column(jsonColumn<AnswerResponse>({ nullable: true }))
  response!: AnswerResponse | null;

  @Column(instantColumn({ nullable: true }))
  answeredAt!: Date | null;

  @Column(hoursColumn({ nullable: true }))
  credit!: number | null;

  @Column({ type: 'boolean', nullable: true })
  correct!: boolean | null;
}

/** A question a learner got wrong; leaves the notebook after two right practice answers. */
@Entity('notebook_entries')
export class NotebookEntryEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'varchar', length: 36 })
  questionId!: string;

  @Column({ type: 'varchar', length: 36 })
  quizId!: string;

  @Column({ type: 'integer' })
  timesWrong!: number;

  @Column({ type: 'integer' })
  rightCount!: number;

  @Column(instantColumn())
  addedAt!: Date;

  @Column(instantColumn({ nullable: true }))
  practisedAt!: Date | null;

  @Column(instantColumn({ nullable: true }))
  clearedAt!: Date | null;
}

export const ASSESSMENT_ENTITIES = [
  QuestionBankEntity,
  QuestionEntity,
  QuizEntity,
  AttemptEntity,
  AttemptQuestionEntity,
  NotebookEntryEntity,
];
