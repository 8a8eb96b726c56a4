import { Body, Controller, Get, Param, Post, Query, Render, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { Actor } from '../common/access/actor';
import { AppRequest } from '../common/http/request-context';
import { translate } from '../common/i18n/i18n';
import { CurrentActor } from '../auth/auth.decorators';
import { CsrfOnlyDto } from '../auth/dto/login.dto';
import { CatalogueQuery } from '../curriculum/dto/course.dto';
import { EnrolmentService } from './enrolment.service';
import { LearningPagesService } from './learning-pages.service';
import { LessonProgressService } from './lesson-progress.service';

@ApiExcludeController()
@Controller()
export class LearningPagesController {
  constructor(
    private readonly pages: LearningPagesService,
    private readonly enrolments: EnrolmentService,
    private readonly progress: LessonProgressService,
  ) {}

  @Get('courses')
  @Render('learning/catalogue')
  async catalogue(
    @CurrentActor() actor: Actor,
    @Query() query: CatalogueQuery,
    @Req() req: AppRequest,
  ) {
    return {
      title: translate(req.lang, 'learning.catalogue.title'),
      ...(await this.pages.catalogue(actor, query)),
    };
  }

  @Get('courses/:slug')
  @Render('learning/course')
  async course(
    @CurrentActor() actor: Actor,
    @Param('slug') slug: string,
    @Query('enrolled') enrolled: unknown,
    @Req() req: AppRequest,
  ) {
    const view = await this.pages.course(actor, slug);
    return {
      title: req.lang === 'en' ? view.course.titleEn : view.course.title,
      justEnrolled: enrolled === '1',
      ...view,
    };
  }

  @Post('courses/:slug/enrol')
  async enrol(
    @CurrentActor() actor: Actor,
    @Param('slug') slug: string,
    @Body() _form: CsrfOnlyDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.enrolments.enrol(actor, slug, {});
    return reply.redirect(`/courses/${encodeURIComponent(slug)}?enrolled=1`, 303);
  }

  @Get('lessons/:id')
  @Render('learning/lesson')
  async lesson(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Query('done') done: unknown,
    @Req() req: AppRequest,
  ) {
    const view = await this.pages.lesson(actor, id);
    return {
      title: req.lang === 'en' ? view.lesson.titleEn || view.lesson.title : view.lesson.title,
      justCompleted: done === '1',
      ...view,
    };
  }

  @Post('lessons/:id/complete')
  async complete(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() _form: CsrfOnlyDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.progress.complete(actor, id);
    return reply.redirect(`/lessons/${encodeURIComponent(id)}?done=1`, 303);
  }

  @Get('me/transcript')
  @Render('learning/transcript')
  async transcript(@CurrentActor() actor: Actor, @Req() req: AppRequest) {
    return {
      title: translate(req.lang, 'learning.transcript.title'),
      ...(await this.pages.transcript(actor)),
    };
  }
}
