import { Injectable } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { Actor, holdsRole } from '../common/access/actor';
import { sniff } from '../common/http/upload';
import { Lang, translate } from '../common/i18n/i18n';
import { CommonException } from '../common/errors/app.exception';
import { AUTHOR_ROLES } from './assessment-scope';
import { AssessmentException } from './assessment.exception';
import { toAttemptSummary, toQuizSettings } from './assessment.view';
import { responsesFromForm, toQuestionPage } from './assessment-pages.view';
import { AttemptsService } from './attempts.service';
import { BanksService, ImportResult } from './banks.service';
import { IMPORT_FORMATS, ImportBankQuery, ImportFormat } from './dto/assessment.dto';
import { ItemAnalysisService } from './item-analysis.service';
import { NotebookService } from './notebook.service';
import { QuizzesService } from './quizzes.service';
import { BANK_UPLOAD_MAX } from './assessment-api.controller';

const SCRIPT = '/static/js/quiz.js';

/** View models of the assessment pages; every rule stays in the services they call. */
@Injectable()
export class AssessmentPagesService {
  constructor(
    private readonly quizzes: QuizzesService,
    private readonly attempts: AttemptsService,
    private readonly banks: BanksService,
    private readonly notebook: NotebookService,
    private readonly analysis: ItemAnalysisService,
  ) {}

  async intro(actor: Actor, quizId: string, lang: Lang) {
    const { quiz, enrolled, asAuthor } = await this.quizzes.access(actor, quizId);
    const mine = await this.attempts.mine(actor, quiz.id);
    const course = await this.quizzes.course(quiz);
    const lesson = await this.quizzes.lessonTitle(quiz);
    const now = new Date();
    const open = mine.find((a) => a.status === 'open');
    const left =
      quiz.attemptsAllowed === null ? null : Math.max(0, quiz.attemptsAllowed - mine.length);
    const settings = toQuizSettings(quiz);
    const en = lang === 'en';
    return {
      title: (en ? quiz.titleEn : null) ?? quiz.title,
      quiz: settings,
      courseTitle: course ? ((en ? course.titleEn : null) ?? course.title) : quiz.courseSlug,
      courseSlug: quiz.courseSlug,
      lessonTitle: lesson ? ((en ? lesson.titleEn : null) ?? lesson.title) : null,
      lessonId: quiz.lessonId,
      timeLimitMinutes: quiz.timeLimitSeconds ? Math.ceil(quiz.timeLimitSeconds / 60) : null,
      attemptsLeft: left,
      unlimited: left === null,
      enrolled,
      asAuthor,
      notYetOpen: quiz.opensAt !== null && quiz.opensAt > now,
      closed: quiz.closesAt !== null && quiz.closesAt <= now,
      openAttempt: open ? { id: open.id, deadline: open.deadline?.toISOString() ?? null } : null,
      canStart:
        enrolled &&
        !open &&
        (left === null || left > 0) &&
        !(quiz.opensAt && quiz.opensAt > now) &&
        !(quiz.closesAt && quiz.closesAt <= now),
      attempts: mine.map(toAttemptSummary),
      canAnalyse: asAuthor && holdsRole(actor, AUTHOR_ROLES),
    };
  }

  async attemptPage(actor: Actor, attemptId: string, screen: number | undefined, lang: Lang) {
    const view = await this.attempts.view(actor, attemptId);
    const { quiz } = view;
    const en = lang === 'en';
    const questions = view.questions.map((q) => toQuestionPage(q, lang));
    const base = {
      title: (en ? quiz.titleEn : null) ?? quiz.title,
      attemptId: view.attemptId,
      quizId: quiz.id,
      number: view.number,
      total: questions.length,
    };
    if (view.status === 'open') {
      const one = quiz.layout === 'one';
      const index = one
        ? Math.min(Math.max((screen ?? 1) - 1, 0), Math.max(questions.length - 1, 0))
        : 0;
      const shown = one ? questions.slice(index, index + 1) : questions;
      return {
        ...base,
        open: true,
        deadline: view.deadline,
        serverNow: new Date().toISOString(),
        one,
        screen: index + 1,
        hasPrev: one && index > 0,
        hasNext: one && index < questions.length - 1,
        questions: shown,
        questionNav: one
          ? questions.map((q, i) => ({ n: i + 1, answered: q.answered, current: i === index }))
          : [],
        answeredCount: questions.filter((q) => q.answered).length,
        scripts: [SCRIPT],
      };
    }
    return {
      ...base,
      open: false,
      score: view.score,
      maxScore: view.maxScore,
      scorePercent: view.scorePercent,
      passed: view.passed,
      passMark: quiz.passMark,
      submittedAt: view.submittedAt,
      review: view.review,
      reviewFrom: view.reviewFrom ?? null,
      showQuestions: view.review !== 'score_only' && view.review !== 'none',
      questions: view.review !== 'score_only' ? questions : [],
      asAuthor: view.asAuthor,
    };
  }

  /** Saves every answered question of a posted form; returns where to go next. */
  async saveForm(actor: Actor, attemptId: string, body: Record<string, unknown>): Promise<string> {
    const view = await this.attempts.view(actor, attemptId);
    if (view.status !== 'open' || view.asAuthor) {
      return `/attempts/${attemptId}`;
    }
    for (const { questionId, response } of responsesFromForm(view.questions, body)) {
      await this.attempts.saveAnswer(actor, attemptId, questionId, response);
    }
    const screen = Number(body.screen);
    const go = body.go;
    if (go === 'finish') {
      return `/attempts/${attemptId}/confirm`;
    }
    if (Number.isInteger(screen) && screen > 0) {
      const next = go === 'next' ? screen + 1 : go === 'prev' ? screen - 1 : screen;
      return `/attempts/${attemptId}?q=${next}`;
    }
    return `/attempts/${attemptId}?saved=1`;
  }

  async confirm(actor: Actor, attemptId: string, lang: Lang) {
    const view = await this.attempts.view(actor, attemptId);
    const unanswered = view.questions.filter((q) => q.response === null).map((q) => q.number);
    return {
      title: translate(lang, 'assessment.confirm.title'),
      attemptId,
      open: view.status === 'open' && !view.asAuthor,
      total: view.questions.length,
      answered: view.questions.length - unanswered.length,
      unanswered,
      deadline: view.deadline,
      serverNow: new Date().toISOString(),
      scripts: [SCRIPT],
    };
  }

  async notebookPage(actor: Actor, lang: Lang) {
    const { items } = await this.notebook.list(actor);
    const en = lang === 'en';
    return {
      title: translate(lang, 'assessment.notebook.title'),
      items: items.map((i) => ({
        quizTitle: (en ? i.quizTitleEn : null) ?? i.quizTitle,
        timesWrong: i.timesWrong,
        rightCount: i.rightCount,
        rightNeeded: i.rightNeeded,
        question: toQuestionPage(i.question, lang),
      })),
    };
  }

  async practice(actor: Actor, questionId: string, body: Record<string, unknown>, lang: Lang) {
    const item = await this.notebook.practiceQuestion(actor, questionId);
    const [answer] = responsesFromForm([item.question], body);
    if (!answer) {
      throw new AssessmentException(
        'INVALID_RESPONSE',
        { reasonKey: 'assessment.response.missing' },
        'response',
      );
    }
    const result = await this.notebook.practise(actor, questionId, answer.response);
    return {
      title: translate(lang, 'assessment.notebook.title'),
      correct: result.correct,
      cleared: result.cleared,
      rightCount: result.rightCount,
      rightNeeded: result.rightNeeded,
      question: toQuestionPage(result.review, lang),
    };
  }

  async banksPage(actor: Actor, lang: Lang, result?: ImportResult & { format: ImportFormat }) {
    const en = lang === 'en';
    const banks = await this.banks.list(actor);
    const quizzes = await this.analysis.quizzesFor(actor);
    return {
      title: translate(lang, 'assessment.banks.title'),
      banks: banks.map((b) => ({ ...b, displayName: (en ? b.nameEn : null) ?? b.name })),
      quizzes: quizzes.map((q) => ({ ...q, displayTitle: (en ? q.titleEn : null) ?? q.title })),
      formats: IMPORT_FORMATS,
      result: result
        ? { ...result, byTypeList: Object.entries(result.byType).map(([type, n]) => ({ type, n })) }
        : null,
    };
  }

  /**
   * The upload form is multipart: the CSRF token travels in the query string (checked before the body is
   * read), the options as fields before the file.
   */
  async importFromForm(actor: Actor, req: FastifyRequest, lang: Lang) {
    if (!req.isMultipart()) {
      throw new CommonException('UNSUPPORTED_MEDIA_TYPE');
    }
    const fields: Record<string, string> = {};
    let file: Buffer | null = null;
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        if (part.fieldname === 'file') {
          file = await part.toBuffer();
        } else {
          await part.toBuffer();
        }
      } else if (typeof part.value === 'string') {
        fields[part.fieldname] = part.value;
      }
    }
    if (!file || file.length === 0) {
      throw new CommonException(
        'VALIDATION_FAILED',
        { field: 'file', reasonKey: 'validation.required' },
        'file',
      );
    }
    if (file.length > BANK_UPLOAD_MAX) {
      throw new CommonException('PAYLOAD_TOO_LARGE');
    }
    if (sniff(file) !== 'text') {
      throw new CommonException('UNSUPPORTED_MEDIA_TYPE');
    }
    const format = (IMPORT_FORMATS as readonly string[]).includes(fields.format ?? '')
      ? (fields.format as ImportFormat)
      : 'gift';
    const query: ImportBankQuery = {
      format,
      bankId: fields.bankId ? fields.bankId.slice(0, 36) : undefined,
      bankName: fields.bankName?.trim() ? fields.bankName.trim().slice(0, 200) : undefined,
      partial: fields.partial === '1' ? '1' : '0',
    };
    const result = await this.banks.importFile(actor, query, file.toString('utf8'), lang);
    return this.banksPage(actor, lang, { ...result, format });
  }

  async analysisPage(actor: Actor, quizId: string, lang: Lang) {
    const a = await this.analysis.forQuiz(actor, quizId);
    const en = lang === 'en';
    return {
      ...a,
      title: translate(lang, 'assessment.analysis.title'),
      quizTitle: (en ? a.titleEn : null) ?? a.title,
      questions: a.questions.map((q, i) => ({
        ...q,
        rank: i + 1,
        hard: q.shareCorrect < 0.5,
        weakDiscrimination: q.discrimination !== null && q.discrimination < 0.2,
      })),
    };
  }
}
