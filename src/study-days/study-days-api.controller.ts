import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { Actor } from '../common/access/actor';
import { contentDisposition } from '../common/http/content-disposition';
import { AppRequest } from '../common/http/request-context';
import { readUpload } from '../common/http/upload';
import { AppConfigService } from '../config/app-config.service';
import { ClientIp, CurrentActor, Public, Roles } from '../auth/auth.decorators';
import { AttendanceService } from '../attendance/attendance.service';
import { CheckInService } from '../attendance/check-in.service';
import { CheckInDto, LeaveDto, RecordAttendanceDto } from '../attendance/dto/attendance.dto';
import { LeaveService } from '../attendance/leave.service';
import { requestOrigin } from '../attendance/request-origin';
import { CalendarService } from './calendar.service';
import {
  FeedQuery,
  GenerateRhythmDto,
  MinutesDto,
  MonthQuery,
  ScheduleStudyDayDto,
  UpdateStudyDayDto,
  YearQuery,
} from './dto/study-days.dto';
import { RhythmService } from './rhythm.service';
import { StudyDayRecordsService } from './study-day-records.service';
import { StudyDaysService } from './study-days.service';

@ApiTags('study days')
@ApiBearerAuth()
@Controller('api/v1')
export class StudyDaysApiController {
  constructor(
    private readonly studyDays: StudyDaysService,
    private readonly records: StudyDayRecordsService,
    private readonly rhythm: RhythmService,
    private readonly calendar: CalendarService,
    private readonly attendance: AttendanceService,
    private readonly checkIns: CheckInService,
    private readonly leave: LeaveService,
    private readonly config: AppConfigService,
  ) {}

  @Post('branches/:id/study-days')
  @Roles('secretary', 'admin')
  @ApiOperation({
    summary: 'Schedule one meeting, or a monthly series (fixed day or n-th weekday)',
  })
  schedule(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() dto: ScheduleStudyDayDto,
  ) {
    return this.studyDays.schedule(actor, id, dto);
  }

  @Get('branches/:id/study-days')
  @ApiOperation({ summary: 'The branch calendar of a month (?month=YYYY-MM, default this month)' })
  month(@CurrentActor() actor: Actor, @Param('id') id: string, @Query() query: MonthQuery) {
    return this.studyDays.month(actor, id, query.month);
  }

  @Post('branches/:id/rhythm')
  @Roles('secretary', 'admin')
  @ApiOperation({
    summary:
      'Generate the year of obligations (study days, committee, hosted lectures and meetings) in one step',
  })
  generate(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() dto: GenerateRhythmDto) {
    return this.rhythm.generateYear(actor, id, dto);
  }

  @Get('branches/:id/rhythm')
  @ApiOperation({ summary: 'Which obligations of the branch rhythm each period of a year met' })
  obligations(@CurrentActor() actor: Actor, @Param('id') id: string, @Query() query: YearQuery) {
    return this.rhythm.obligationsFor(actor, id, Number(query.year ?? new Date().getUTCFullYear()));
  }

  @Post('branches/:id/calendar-token')
  @Roles('secretary', 'admin')
  @ApiOperation({
    summary: 'A new secret feed link for the branch calendar (the previous one stops working)',
  })
  branchToken(@CurrentActor() actor: Actor, @Param('id') id: string, @Req() req: AppRequest) {
    return this.calendar.branchLink(actor, id, requestOrigin(req, this.config.publicUrl));
  }

  @Delete('branches/:id/calendar-token')
  @Roles('secretary', 'admin')
  revokeBranchToken(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return this.calendar.revokeBranch(actor, id);
  }

  @Public()
  @Get('branches/:id/calendar.ics')
  @ApiOperation({
    summary: 'iCalendar feed of the branch: by its secret link (?token=) or signed in as a member',
  })
  async branchFeed(
    @Param('id') id: string,
    @Query() query: FeedQuery,
    @Req() req: AppRequest,
    @Res() reply: FastifyReply,
  ) {
    const body = await this.calendar.branchFeed(
      id,
      query.token,
      req.actor,
      req.lang,
      requestOrigin(req, this.config.publicUrl),
    );
    return sendCalendar(reply, body);
  }

  @Post('me/calendar-token')
  @ApiOperation({
    summary: 'A new secret feed link for my own calendar (the previous one stops working)',
  })
  personToken(@CurrentActor() actor: Actor, @Req() req: AppRequest) {
    return this.calendar.personLink(actor, requestOrigin(req, this.config.publicUrl));
  }

  @Delete('me/calendar-token')
  revokePersonToken(@CurrentActor() actor: Actor) {
    return this.calendar.revokePerson(actor);
  }

  @Public()
  @Get('me/calendar.ics')
  @ApiOperation({
    summary:
      'iCalendar feed of every meeting of my branches: by secret link (?token=) or signed in',
  })
  async personFeed(@Query() query: FeedQuery, @Req() req: AppRequest, @Res() reply: FastifyReply) {
    const body = await this.calendar.personFeed(
      query.token,
      req.actor,
      req.lang,
      requestOrigin(req, this.config.publicUrl),
    );
    return sendCalendar(reply, body);
  }

  @Get('study-days/:id')
  get(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return this.studyDays.get(actor, id);
  }

  @Put('study-days/:id')
  @Roles('secretary', 'admin')
  @ApiOperation({
    summary:
      'Move, cancel (with a reason) or edit one meeting, or with applyTo=series every later one',
  })
  update(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() dto: UpdateStudyDayDto,
    @ClientIp() ip: string,
  ) {
    return this.studyDays.update(actor, id, dto, ip);
  }

  @Post('study-days/:id/check-in-code')
  @HttpCode(200)
  @Roles('secretary', 'admin')
  @ApiOperation({
    summary: 'Open check-in: the current rotating code (30 s), its QR code and when it expires',
  })
  code(@CurrentActor() actor: Actor, @Param('id') id: string, @Req() req: AppRequest) {
    return this.checkIns.openCheckIn(
      actor,
      id,
      'study_day',
      requestOrigin(req, this.config.publicUrl),
      req.lang,
    );
  }

  @Post('study-days/:id/check-in')
  @ApiOperation({
    summary:
      'Check in with the code: 201 present or late; 409 already; 410 closed; 403 not a member',
  })
  checkIn(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() dto: CheckInDto,
    @ClientIp() ip: string,
  ) {
    return this.checkIns.checkIn(actor, id, 'study_day', dto.code, ip);
  }

  @Post('study-days/:id/leave')
  @ApiOperation({ summary: 'Ask for leave before the start' })
  askLeave(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() dto: LeaveDto) {
    return this.leave.requestLeave(actor, id, 'study_day', dto.reason);
  }

  @Post('study-days/:id/close')
  @HttpCode(200)
  @Roles('secretary', 'admin')
  @ApiOperation({
    summary: 'Close now: absentees and approved-leave members get their make-up study',
  })
  close(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return this.attendance.close(actor, id, 'study_day');
  }

  @Get('study-days/:id/attendance')
  @Roles('secretary', 'admin')
  @ApiOperation({ summary: 'Roster with present / late / leave / absent, and the two rates' })
  roster(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return this.attendance.roster(actor, id, 'study_day');
  }

  @Post('study-days/:id/attendance')
  @Roles('secretary', 'admin')
  @ApiOperation({
    summary:
      'Record attendance for someone (proxy check-in, home visit, correction) with a reason; audited',
  })
  record(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() dto: RecordAttendanceDto,
    @ClientIp() ip: string,
  ) {
    return this.checkIns.recordFor(actor, id, 'study_day', dto, ip);
  }

  @Put('study-days/:id/minutes')
  @Roles('secretary', 'admin')
  @ApiOperation({
    summary: 'Minutes (markdown) and the paper evidence ticked; answers the evidence checklist',
  })
  minutes(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() dto: MinutesDto,
    @ClientIp() ip: string,
  ) {
    return this.records.saveMinutes(actor, id, dto, ip);
  }

  @Get('study-days/:id/evidence')
  async evidence(@CurrentActor() actor: Actor, @Param('id') id: string) {
    const { day } = await this.studyDays.visible(actor, id);
    return (await this.records.evidence([day.id])).get(day.id);
  }

  @Post('study-days/:id/photos')
  @Roles('secretary', 'admin')
  @ApiConsumes('image/jpeg', 'image/png', 'multipart/form-data')
  @ApiOperation({
    summary: 'Attach a photo (JPEG, PNG or WebP, at most 2 MB; raw body or multipart field "file")',
  })
  async addPhoto(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Req() req: AppRequest,
    @ClientIp() ip: string,
  ) {
    const buffer = await readUpload(req, { maxBytes: 2 * 1024 * 1024, kinds: ['image'] });
    return this.records.addPhoto(actor, id, buffer, ip);
  }

  @Get('study-days/:id/photos')
  async photos(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return { items: await this.records.listPhotos(actor, id), nextCursor: null };
  }

  @Get('study-days/:id/photos/:photoId')
  @Header('x-content-type-options', 'nosniff')
  async photo(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Param('photoId') photoId: string,
    @Res() reply: FastifyReply,
  ) {
    const { mime, data } = await this.records.photo(actor, id, photoId);
    return reply
      .header('content-type', mime)
      .header('cache-control', 'private, max-age=3600')
      .send(data);
  }

  @Delete('study-days/:id/photos/:photoId')
  @Roles('secretary', 'admin')
  async deletePhoto(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Param('photoId') photoId: string,
    @ClientIp() ip: string,
  ) {
    await this.records.deletePhoto(actor, id, photoId, ip);
    return { deleted: true };
  }
}

function sendCalendar(reply: FastifyReply, body: string): FastifyReply {
  return reply
    .header('content-type', 'text/calendar; charset=utf-8')
    .header('content-disposition', contentDisposition('inline', 'study-days.ics'))
    .header('cache-control', 'private, no-store')
    .send(body);
}
