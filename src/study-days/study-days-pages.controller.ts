import { Body, Controller, Get, Param, Post, Query, Render, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { DateTime } from 'luxon';
import { Actor } from '../common/access/actor';
import { AppRequest } from '../common/http/request-context';
import { readUpload } from '../common/http/upload';
import { translate } from '../common/i18n/i18n';
import { AppConfigService } from '../config/app-config.service';
import { ClientIp, CurrentActor, Roles } from '../auth/auth.decorators';
import { CsrfOnlyDto } from '../auth/dto/login.dto';
import { AttendanceService } from '../attendance/attendance.service';
import { CheckInService } from '../attendance/check-in.service';
import { LeaveService } from '../attendance/leave.service';
import { requestOrigin } from '../attendance/request-origin';
import {
  CalendarPageQuery,
  MinutesFormDto,
  MoveFormDto,
  ProxyFormDto,
  ReasonFormDto,
  ScheduleFormDto,
} from './dto/study-day-forms.dto';
import { StudyDayRecordsService } from './study-day-records.service';
import { StudyDaysPagesService } from './study-days-pages.service';
import { StudyDaysService } from './study-days.service';

/** `/study-days` pages; every form posts here and redirects back (303), so the pages work without script. */
@ApiExcludeController()
@Controller()
export class StudyDaysPagesController {
  constructor(
    private readonly pages: StudyDaysPagesService,
    private readonly studyDays: StudyDaysService,
    private readonly records: StudyDayRecordsService,
    private readonly attendance: AttendanceService,
    private readonly checkIns: CheckInService,
    private readonly leave: LeaveService,
    private readonly config: AppConfigService,
  ) {}

  @Get('study-days')
  @Render('study-days/calendar')
  calendar(
    @CurrentActor() actor: Actor,
    @Query() query: CalendarPageQuery,
    @Req() req: AppRequest,
  ) {
    return this.pages.calendarPage(actor, req.lang, query);
  }

  @Post('study-days')
  @Roles('secretary', 'admin')
  async schedule(
    @CurrentActor() actor: Actor,
    @Body() form: ScheduleFormDto,
    @Res() reply: FastifyReply,
  ) {
    const { branch } = await this.studyDays.branchFor(actor, form.branch, true);
    const result = await this.studyDays.schedule(
      actor,
      branch.id,
      this.pages.toScheduleDto(form, branch.zone),
    );
    const first = result.occurrences[0];
    const month = first ? first.localDate.slice(0, 7) : form.date.slice(0, 7);
    return reply.redirect(`/study-days?branch=${branch.id}&month=${month}&done=scheduled`, 303);
  }

  @Get('study-days/:id')
  @Render('study-days/detail')
  detail(@CurrentActor() actor: Actor, @Param('id') id: string, @Req() req: AppRequest) {
    return this.pages.detailPage(actor, req.lang, id);
  }

  @Get('study-days/:id/projector')
  @Roles('secretary', 'admin')
  async projector(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Req() req: AppRequest,
    @Res() reply: FastifyReply,
  ) {
    const page = await this.pages.detailPage(actor, req.lang, id, { projector: true });
    const code =
      page.checkInOpen && page.canOpenCheckIn
        ? await this.checkIns.openCheckIn(
            actor,
            id,
            'study_day',
            requestOrigin(req, this.config.publicUrl),
            req.lang,
          )
        : null;
    // Without script a <noscript> meta refresh reloads it every 10 s; with script it updates in place (check-in.js).
    return reply.view('study-days/projector', {
      ...page,
      title: translate(req.lang, 'studyDays.projector.title'),
      code,
      scripts: ['/static/js/check-in.js'],
      bare: true,
    });
  }

  @Post('study-days/:id/open')
  @Roles('secretary', 'admin')
  async open(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() _form: CsrfOnlyDto,
    @Req() req: AppRequest,
    @Res() reply: FastifyReply,
  ) {
    await this.checkIns.openCheckIn(
      actor,
      id,
      'study_day',
      requestOrigin(req, this.config.publicUrl),
      req.lang,
    );
    return reply.redirect(`/study-days/${id}/projector`, 303);
  }

  @Post('study-days/:id/leave')
  async askLeave(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() form: ReasonFormDto,
    @Res() reply: FastifyReply,
  ) {
    await this.leave.requestLeave(actor, id, 'study_day', form.reason);
    return reply.redirect(`/study-days/${id}?done=leave`, 303);
  }

  @Post('study-days/:id/close')
  @Roles('secretary', 'admin')
  async close(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() _form: CsrfOnlyDto,
    @Res() reply: FastifyReply,
  ) {
    await this.attendance.close(actor, id, 'study_day');
    return reply.redirect(`/study-days/${id}#roster`, 303);
  }

  @Post('study-days/:id/attendance')
  @Roles('secretary', 'admin')
  async record(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() form: ProxyFormDto,
    @ClientIp() ip: string,
    @Res() reply: FastifyReply,
  ) {
    await this.checkIns.recordFor(actor, id, 'study_day', form, ip);
    return reply.redirect(`/study-days/${id}#roster`, 303);
  }

  @Post('study-days/:id/minutes')
  @Roles('secretary', 'admin')
  async minutes(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() form: MinutesFormDto,
    @ClientIp() ip: string,
    @Res() reply: FastifyReply,
  ) {
    await this.records.saveMinutes(
      actor,
      id,
      {
        minutes: form.minutes,
        plan: form.plan === 'on',
        materials: form.materials === 'on',
        signInSheet: form.signInSheet === 'on',
      },
      ip,
    );
    return reply.redirect(`/study-days/${id}#minutes`, 303);
  }

  @Post('study-days/:id/photos')
  @Roles('secretary', 'admin')
  async photo(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Req() req: AppRequest,
    @ClientIp() ip: string,
    @Res() reply: FastifyReply,
  ) {
    const buffer = await readUpload(req, { maxBytes: 2 * 1024 * 1024, kinds: ['image'] });
    await this.records.addPhoto(actor, id, buffer, ip);
    return reply.redirect(`/study-days/${id}#evidence`, 303);
  }

  @Post('study-days/:id/cancel')
  @Roles('secretary', 'admin')
  async cancel(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() form: ReasonFormDto,
    @ClientIp() ip: string,
    @Res() reply: FastifyReply,
  ) {
    await this.studyDays.update(actor, id, { cancelled: true, reason: form.reason }, ip);
    return reply.redirect(`/study-days/${id}`, 303);
  }

  @Post('study-days/:id/move')
  @Roles('secretary', 'admin')
  async move(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() form: MoveFormDto,
    @ClientIp() ip: string,
    @Res() reply: FastifyReply,
  ) {
    const { day } = await this.studyDays.managed(actor, id);
    const date = DateTime.fromISO(form.date, { zone: day.zone });
    const at = (t: string) =>
      date
        .set({ hour: Number(t.slice(0, 2)), minute: Number(t.slice(3, 5)) })
        .toISO({ suppressMilliseconds: true }) ?? '';
    await this.studyDays.update(
      actor,
      id,
      { startsAt: at(form.startTime), endsAt: at(form.endTime), reason: form.reason },
      ip,
    );
    return reply.redirect(`/study-days/${id}`, 303);
  }

  @Post('leave-requests/:id/approve')
  @Roles('secretary', 'admin', 'trainer')
  async approve(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() _form: CsrfOnlyDto,
    @ClientIp() ip: string,
    @Res() reply: FastifyReply,
  ) {
    const leave = await this.leave.decide(actor, id, true, undefined, ip);
    return reply.redirect(`/study-days/${leave.sessionId}#roster`, 303);
  }

  @Post('leave-requests/:id/reject')
  @Roles('secretary', 'admin', 'trainer')
  async reject(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() _form: CsrfOnlyDto,
    @ClientIp() ip: string,
    @Res() reply: FastifyReply,
  ) {
    const leave = await this.leave.decide(actor, id, false, undefined, ip);
    return reply.redirect(`/study-days/${leave.sessionId}#roster`, 303);
  }
}
