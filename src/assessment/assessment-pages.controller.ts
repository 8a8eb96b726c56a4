import { Body, Controller, Get, Param, Post, Query, Render, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { CurrentActor, Roles } from '../auth/auth.decorators';
import { Actor } from '../common/access/actor';
import { AppRequest } from '../common/http/request-context';
import { navFor } from '../common/views/nav';
import { AssessmentIdPipe } from './assessment-id.pipe';
import { AssessmentPagesService } from './assessment-pages.service';
import { AttemptsService } from './attempts.service';

/** What the layout needs on a page rendered in answer to a POST (the app's page hook fills it only for GET). */
function layoutLocals(req: AppRequest, reply: FastifyReply): Record<string, unknown> {
  const path = req.url.split('?')[0] ?? '/';
  return {
    lang: req.lang,
    htmlLang: req.lang,
    isEnglish: req.lang === 'en',
    path,
    actor: req.actor
      ? {
          displayName: req.actor.displayName,
          roles: [...new Set(req.actor.grants.map((g) => g.role))],
        }
      : null,
    nav: navFor(req.actor, path),
    csrfToken: reply.generateCsrf(),
  };
}

const screenOf = (q: unknown): number | undefined =>
  typeof q === 'string' && /^\d{1,3}$/.test(q) ? Number(q) : undefined;

@ApiExcludeController()
@Controller()
export class AssessmentPagesController {
  constructor(
    private readonly pages: AssessmentPagesService,
    private readonly attempts: AttemptsService,
  ) {}

  @Get('quizzes/:id')
  @Render('assessment/quiz')
  intro(
    @CurrentActor() actor: Actor,
    @Param('id', AssessmentIdPipe) id: string,
    @Req() req: AppRequest,
  ) {
    return this.pages.intro(actor, id, req.lang);
  }

  @Post('quizzes/:id/start')
  async start(
    @CurrentActor() actor: Actor,
    @Param('id', AssessmentIdPipe) id: string,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const started = await this.attempts.start(actor, id);
    return reply.redirect(`/attempts/${started.attemptId}`, 303);
  }

  @Get('attempts/:id')
  @Render('assessment/attempt')
  attempt(
    @CurrentActor() actor: Actor,
    @Param('id', AssessmentIdPipe) id: string,
    @Query('q') q: unknown,
    @Req() req: AppRequest,
  ) {
    return this.pages.attemptPage(actor, id, screenOf(q), req.lang);
  }

  @Post('attempts/:id/answers')
  async save(
    @CurrentActor() actor: Actor,
    @Param('id', AssessmentIdPipe) id: string,
    @Body() body: Record<string, unknown>,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return reply.redirect(await this.pages.saveForm(actor, id, body ?? {}), 303);
  }

  @Get('attempts/:id/confirm')
  @Render('assessment/confirm')
  confirm(
    @CurrentActor() actor: Actor,
    @Param('id', AssessmentIdPipe) id: string,
    @Req() req: AppRequest,
  ) {
    return this.pages.confirm(actor, id, req.lang);
  }

  @Post('attempts/:id/submit')
  async submit(
    @CurrentActor() actor: Actor,
    @Param('id', AssessmentIdPipe) id: string,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.attempts.submit(actor, id);
    return reply.redirect(`/attempts/${id}`, 303);
  }

  @Get('me/notebook')
  @Render('assessment/notebook')
  notebook(@CurrentActor() actor: Actor, @Req() req: AppRequest) {
    return this.pages.notebookPage(actor, req.lang);
  }

  @Post('me/notebook/:questionId/practice')
  async practise(
    @CurrentActor() actor: Actor,
    @Param('questionId', AssessmentIdPipe) questionId: string,
    @Body() body: Record<string, unknown>,
    @Req() req: AppRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const model = await this.pages.practice(actor, questionId, body ?? {}, req.lang);
    return reply.view('assessment/practice', { ...layoutLocals(req, reply), ...model });
  }

  @Get('author/banks')
  @Roles('trainer', 'admin')
  @Render('assessment/banks')
  banks(@CurrentActor() actor: Actor, @Req() req: AppRequest) {
    return this.pages.banksPage(actor, req.lang);
  }

  @Post('author/banks/import')
  @Roles('trainer', 'admin')
  async importBank(
    @CurrentActor() actor: Actor,
    @Req() req: AppRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const model = await this.pages.importFromForm(actor, req, req.lang);
    return reply
      .status(model.result?.refused ? 400 : 200)
      .view('assessment/banks', { ...layoutLocals(req, reply), ...model });
  }

  @Get('author/quizzes/:id/analysis')
  @Roles('trainer', 'admin')
  @Render('assessment/analysis')
  analysis(
    @CurrentActor() actor: Actor,
    @Param('id', AssessmentIdPipe) id: string,
    @Req() req: AppRequest,
  ) {
    return this.pages.analysisPage(actor, id, req.lang);
  }
}
