import { Body, Controller, Get, Param, Post, Query, Render, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { Actor } from '../common/access/actor';
import { AppRequest } from '../common/http/request-context';
import { translate } from '../common/i18n/i18n';
import { CurrentActor, Roles } from '../auth/auth.decorators';
import { CsrfOnlyDto } from '../auth/dto/login.dto';
import { CourseAuthoringService } from './course-authoring.service';
import { CurriculumException } from './curriculum.exception';
import { CoursePublishService } from './course-publish.service';
import {
  CourseFormDto,
  LessonFormDto,
  MoveLessonFormDto,
  NewCourseFormDto,
} from './dto/course.dto';
import {
  toAuthorCoursePage,
  toAuthorIndex,
  toCourseSettings,
  toCourseSettingsInput as toSettingsInput,
  toLessonForm,
  toLessonInput,
} from './author.view';
import { navFor } from '../common/views/nav';

const AUTHOR_SCRIPT = ['/static/js/author.js'];
const path = (slug: string, rest = ''): string =>
  `/author/courses/${encodeURIComponent(slug)}${rest}`;

/** The trainer's workspace: every form works without script; author.js only adds the live preview. */
@ApiExcludeController()
@Controller('author')
@Roles('trainer', 'admin')
export class AuthorPagesController {
  constructor(
    private readonly authoring: CourseAuthoringService,
    private readonly publisher: CoursePublishService,
  ) {}

  @Get()
  @Render('author/index')
  async index(@CurrentActor() actor: Actor, @Req() req: AppRequest) {
    return {
      title: translate(req.lang, 'author.title'),
      ...toAuthorIndex(await this.authoring.listEditable(actor), req.lang),
    };
  }

  @Get('new')
  @Render('author/course-new')
  newCourse(@Req() req: AppRequest) {
    return { title: translate(req.lang, 'author.newCourse'), form: toCourseSettings(null) };
  }

  @Post('courses')
  async create(
    @CurrentActor() actor: Actor,
    @Body() form: NewCourseFormDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const view = await this.authoring.create(actor, {
      ...toSettingsInput(form),
      slug: form.slug,
      modules: [],
    });
    return reply.redirect(path(view.slug, '?saved=1'), 303);
  }

  @Get('courses/:slug')
  @Render('author/course')
  async course(
    @CurrentActor() actor: Actor,
    @Param('slug') slug: string,
    @Query('saved') saved: unknown,
  ) {
    const draft = await this.authoring.draft(actor, slug);
    return {
      title: draft.title,
      saved: saved === '1',
      published: saved === 'published',
      archived: saved === 'archived',
      ...toAuthorCoursePage(draft),
    };
  }

  @Post('courses/:slug')
  async saveSettings(
    @CurrentActor() actor: Actor,
    @Param('slug') slug: string,
    @Body() form: CourseFormDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.authoring.updateSettings(actor, slug, toSettingsInput(form), form.revision);
    return reply.redirect(path(slug, '?saved=1'), 303);
  }

  @Get('courses/:slug/lessons/new')
  @Render('author/lesson')
  async newLesson(
    @CurrentActor() actor: Actor,
    @Param('slug') slug: string,
    @Req() req: AppRequest,
  ) {
    const draft = await this.authoring.draft(actor, slug);
    return {
      title: translate(req.lang, 'author.newLesson'),
      scripts: AUTHOR_SCRIPT,
      ...toLessonForm(draft, null, null, null),
    };
  }

  @Get('courses/:slug/lessons/:key')
  @Render('author/lesson')
  async lesson(
    @CurrentActor() actor: Actor,
    @Param('slug') slug: string,
    @Param('key') key: string,
    @Query('saved') saved: unknown,
  ) {
    const draft = await this.authoring.draft(actor, slug);
    const view = toLessonForm(draft, key, null, null);
    return { title: view.lesson.title, scripts: AUTHOR_SCRIPT, saved: saved === '1', ...view };
  }

  @Post('courses/:slug/lessons')
  async addLesson(
    @CurrentActor() actor: Actor,
    @Param('slug') slug: string,
    @Body() form: LessonFormDto,
    @Req() req: AppRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return this.saveOrPreview(actor, slug, null, form, req, reply);
  }

  @Post('courses/:slug/lessons/:key')
  async saveLesson(
    @CurrentActor() actor: Actor,
    @Param('slug') slug: string,
    @Param('key') key: string,
    @Body() form: LessonFormDto,
    @Req() req: AppRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return this.saveOrPreview(actor, slug, key, form, req, reply);
  }

  @Post('courses/:slug/lessons/:key/move')
  async move(
    @CurrentActor() actor: Actor,
    @Param('slug') slug: string,
    @Param('key') key: string,
    @Body() form: MoveLessonFormDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.authoring.moveLesson(actor, slug, key, form.direction);
    return reply.redirect(path(slug, '#lessons'), 303);
  }

  @Post('courses/:slug/lessons/:key/delete')
  async remove(
    @CurrentActor() actor: Actor,
    @Param('slug') slug: string,
    @Param('key') key: string,
    @Body() _form: CsrfOnlyDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.authoring.deleteLesson(actor, slug, key);
    return reply.redirect(path(slug, '#lessons'), 303);
  }

  @Post('courses/:slug/publish')
  async publish(
    @CurrentActor() actor: Actor,
    @Param('slug') slug: string,
    @Body() _form: CsrfOnlyDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.authoring.publish(actor, slug);
    return reply.redirect(path(slug, '?saved=published'), 303);
  }

  @Post('courses/:slug/archive')
  async archive(
    @CurrentActor() actor: Actor,
    @Param('slug') slug: string,
    @Body() _form: CsrfOnlyDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.authoring.archive(actor, slug);
    return reply.redirect(path(slug, '?saved=archived'), 303);
  }

  /** "Preview" re-renders the form with the sanitised HTML and saves nothing: the preview without script. */
  private async saveOrPreview(
    actor: Actor,
    slug: string,
    key: string | null,
    form: LessonFormDto,
    req: AppRequest,
    reply: FastifyReply,
  ): Promise<void> {
    if (form.intent === 'preview') {
      const draft = await this.authoring.draft(actor, slug);
      const view = toLessonForm(draft, key, form, this.publisher.render(form.markdown));
      return reply.status(200).view('author/lesson', {
        ...pageContext(req, reply),
        title: form.title,
        scripts: AUTHOR_SCRIPT,
        ...view,
      });
    }
    try {
      const saved = await this.authoring.saveLesson(
        actor,
        slug,
        key,
        toLessonInput(form),
        form.revision,
      );
      return reply.redirect(path(slug, `/lessons/${saved}?saved=1`), 303);
    } catch (error) {
      if (!(error instanceof CurriculumException) || error.code !== 'DRAFT_CHANGED') {
        throw error;
      }
      // Someone saved in between: the author's text comes back in the form, unsaved, with the latest revision,
      // so a second save (after a look at the course) deliberately replaces the other change.
      const draft = await this.authoring.draft(actor, slug);
      const stillThere = draft.modules.some((m) => m.lessons.some((l) => l.key === key));
      const view = toLessonForm(
        draft,
        stillThere ? key : null, // deleted meanwhile: the text can still be saved as a new lesson
        { ...form, revision: draft.revision },
        null,
      );
      return reply.status(409).view('author/lesson', {
        ...pageContext(req, reply),
        title: form.title,
        scripts: AUTHOR_SCRIPT,
        conflict: true,
        ...view,
      });
    }
  }
}

/** What the layout needs when a POST renders a page itself (the GET hook only fills it for GET requests). */
function pageContext(req: AppRequest, reply: FastifyReply): Record<string, unknown> {
  const here = req.url.split('?')[0] ?? '/';
  return {
    lang: req.lang,
    htmlLang: req.lang,
    isEnglish: req.lang === 'en',
    path: here,
    actor: req.actor
      ? {
          displayName: req.actor.displayName,
          roles: [...new Set(req.actor.grants.map((g) => g.role))],
        }
      : null,
    nav: navFor(req.actor, here),
    csrfToken: reply.generateCsrf(),
  };
}
