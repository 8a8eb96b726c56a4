import { Body, Controller, Get, Post, Query, Render, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { Actor } from '../common/access/actor';
import { AppException } from '../common/errors/app.exception';
import { AppRequest } from '../common/http/request-context';
import { translate } from '../common/i18n/i18n';
import { ClientIp, CurrentActor } from '../auth/auth.decorators';
import { CheckInService } from './check-in.service';
import { CheckInFormDto, CheckInPageQuery } from './dto/attendance.dto';
import { LeaveService } from './leave.service';
import { pageLocals } from './page-locals';

/** `/check-in` on a phone: a big numeric field; the QR link fills in the code and the session. */
@ApiExcludeController()
@Controller('check-in')
export class CheckInPagesController {
  constructor(
    private readonly checkIns: CheckInService,
    private readonly leave: LeaveService,
  ) {}

  @Get()
  @Render('attendance/check-in')
  async page(
    @CurrentActor() actor: Actor,
    @Query() query: CheckInPageQuery,
    @Req() req: AppRequest,
  ) {
    const code = query.code && /^[0-9０-９]{4,9}$/.test(query.code) ? query.code : '';
    return {
      title: translate(req.lang, 'checkIn.title'),
      code,
      s: query.s ?? '',
      fromQr: code !== '',
      makeUps: await this.leave.makeUpsOf(actor.userId, { openOnly: true }),
    };
  }

  @Post()
  async submit(
    @CurrentActor() actor: Actor,
    @Body() form: CheckInFormDto,
    @ClientIp() ip: string,
    @Req() req: AppRequest,
    @Res() reply: FastifyReply,
  ) {
    try {
      const result = await this.checkIns.checkIn(actor, form.s || null, null, form.code, ip);
      return reply.status(201).view('attendance/check-in', {
        ...pageLocals(req, reply),
        title: translate(req.lang, 'checkIn.done'),
        result,
        studyDayHref: result.sessionType === 'study_day' ? `/study-days/${result.sessionId}` : null,
      });
    } catch (error) {
      // A wrong code is the common case on a phone: show it on the same form, not an error page.
      if (
        !(error instanceof AppException) ||
        error.status >= 500 ||
        (error.status === 404 && error.code !== 'NO_OPEN_SESSION')
      ) {
        throw error;
      }
      if (error.status === 429) {
        void reply.header('retry-after', String(error.params.seconds ?? 60));
      }
      return reply.status(error.status).view('attendance/check-in', {
        ...pageLocals(req, reply),
        title: translate(req.lang, 'checkIn.title'),
        s: form.s ?? '',
        error: translate(req.lang, `errors.${error.code}`, error.params),
        makeUps: await this.leave.makeUpsOf(actor.userId, { openOnly: true }),
      });
    }
  }
}
