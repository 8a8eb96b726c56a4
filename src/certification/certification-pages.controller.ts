import {
  Body,
  Controller,
  Get,
  Header,
  Param,
  Post,
  Query,
  Render,
  Req,
  Res,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { Actor } from '../common/access/actor';
import { AppRequest } from '../common/http/request-context';
import { translate } from '../common/i18n/i18n';
import { ClientIp, CurrentActor, Public, Roles } from '../auth/auth.decorators';
import { CertificatesService } from './certificates.service';
import { CertificationPagesService } from './certification-pages.service';
import { RevokeCertificateFormDto, SignOffTaskDto } from './dto/certification.dto';
import { QualificationService } from './qualification.service';
import { TasksService } from './tasks.service';

@ApiExcludeController()
@Controller()
export class CertificationPagesController {
  constructor(
    private readonly pages: CertificationPagesService,
    private readonly certificates: CertificatesService,
    private readonly qualification: QualificationService,
    private readonly tasks: TasksService,
  ) {}

  @Get('me/certificates')
  @Render('certification/mine')
  async mine(@CurrentActor() actor: Actor, @Req() req: AppRequest) {
    return {
      title: translate(req.lang, 'cert.mine.title'),
      ...(await this.pages.certificatesPage(actor)),
    };
  }

  @Get('me/qualification')
  @Render('certification/qualification')
  async myQualification(@CurrentActor() actor: Actor, @Req() req: AppRequest) {
    return {
      title: translate(req.lang, 'cert.qual.title'),
      self: true,
      ...this.pages.qualificationPage(await this.qualification.mine(actor), req.lang),
    };
  }

  @Get('qualification/people/:id')
  @Roles('secretary', 'admin')
  @Render('certification/qualification')
  async person(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Query('done') done: unknown,
    @Req() req: AppRequest,
  ) {
    const view = await this.qualification.ofPerson(actor, id);
    const { items } = await this.certificates.ofPerson(actor, id);
    return {
      title: translate(req.lang, 'cert.qual.personTitle', { name: view.displayName }),
      self: false,
      personId: id,
      canRevoke: actor.grants.some((g) => g.role === 'admin'),
      justRevoked: done === 'revoked',
      certificates: items.map((c) => ({ ...c, isValid: c.status === 'valid' })),
      ...this.pages.qualificationPage(view, req.lang),
    };
  }

  /** The admin's revoke form on a person's page (the API route is POST /api/v1/certificates/:id/revoke). */
  @Post('qualification/people/:id/certificates/:certificateId/revoke')
  @Roles('admin')
  async revoke(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Param('certificateId') certificateId: string,
    @Body() form: RevokeCertificateFormDto,
    @ClientIp() ip: string,
    @Res() reply: FastifyReply,
  ) {
    await this.certificates.revoke(actor, certificateId, form.reason, ip);
    return reply.redirect(
      `/qualification/people/${encodeURIComponent(id)}?done=revoked#certificates`,
      303,
    );
  }

  @Get('qualification/behind')
  @Roles('secretary', 'admin')
  @Render('certification/behind')
  async behind(@CurrentActor() actor: Actor, @Req() req: AppRequest) {
    return {
      title: translate(req.lang, 'cert.behind.title'),
      ...(await this.pages.behindPage(actor, req.lang)),
    };
  }

  @Get('verify/:code')
  @Public()
  // A revocation must show at once, and a page about a named person is kept by no cache and no index.
  @Header('cache-control', 'no-store')
  @Header('x-robots-tag', 'noindex, nofollow')
  @Render('certification/verify')
  async verify(@Param('code') code: string, @ClientIp() ip: string, @Req() req: AppRequest) {
    const v = await this.certificates.verify(code, ip);
    return {
      title: translate(req.lang, 'cert.verify.title'),
      v,
      isValid: v.status === 'valid',
      isRevoked: v.status === 'revoked',
    };
  }

  @Get('admin/policy')
  @Roles('admin', 'secretary')
  @Render('certification/policy')
  async policy(@Req() req: AppRequest) {
    return {
      title: translate(req.lang, 'cert.policy.title'),
      ...(await this.pages.policyPage(req.lang)),
    };
  }

  @Get('tasks')
  @Roles('trainer', 'secretary')
  @Render('certification/tasks')
  async pending(@CurrentActor() actor: Actor, @Req() req: AppRequest) {
    const query = req.query as Record<string, unknown>;
    return {
      title: translate(req.lang, 'cert.tasks.title'),
      done: query.done === '1',
      ...(await this.tasks.pending(actor)),
    };
  }

  @Post('tasks/:lessonId/sign-off')
  @Roles('trainer', 'secretary')
  async signOff(
    @CurrentActor() actor: Actor,
    @Param('lessonId') lessonId: string,
    @Body() dto: SignOffTaskDto,
    @ClientIp() ip: string,
    @Res() reply: FastifyReply,
  ) {
    await this.tasks.signOff(actor, lessonId, dto.userId, dto.note, ip);
    void reply.redirect('/tasks?done=1', 303);
  }
}
