import { Body, Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/access/actor';
import { AppRequest } from '../common/http/request-context';
import { AppConfigService } from '../config/app-config.service';
import { ClientIp, CurrentActor, Roles } from '../auth/auth.decorators';
import { AttendanceService } from './attendance.service';
import { CheckInService } from './check-in.service';
import {
  CheckInDto,
  CreateTrainingSessionDto,
  DecideLeaveDto,
  LeaveDto,
  RecordAttendanceDto,
} from './dto/attendance.dto';
import { LeaveService } from './leave.service';
import { requestOrigin } from './request-origin';
import { TrainingSessionsService } from './training-sessions.service';

@ApiTags('attendance')
@ApiBearerAuth()
@Controller('api/v1')
export class AttendanceApiController {
  constructor(
    private readonly attendance: AttendanceService,
    private readonly checkIns: CheckInService,
    private readonly leave: LeaveService,
    private readonly training: TrainingSessionsService,
    private readonly config: AppConfigService,
  ) {}

  @Post('check-in')
  @ApiOperation({
    summary: 'Check in with the code on the screen, to whichever session of your branch it belongs',
  })
  checkInAny(@CurrentActor() actor: Actor, @Body() dto: CheckInDto, @ClientIp() ip: string) {
    return this.checkIns.checkIn(actor, null, null, dto.code, ip);
  }

  @Post('leave-requests/:id/approve')
  @HttpCode(200)
  @Roles('secretary', 'admin', 'trainer')
  @ApiOperation({ summary: 'Approve a leave request (secretary of the branch or above)' })
  approve(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() dto: DecideLeaveDto,
    @ClientIp() ip: string,
  ) {
    return this.leave.decide(actor, id, true, dto.note, ip);
  }

  @Post('leave-requests/:id/reject')
  @HttpCode(200)
  @Roles('secretary', 'admin', 'trainer')
  @ApiOperation({ summary: 'Reject a leave request' })
  reject(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() dto: DecideLeaveDto,
    @ClientIp() ip: string,
  ) {
    return this.leave.decide(actor, id, false, dto.note, ip);
  }

  @Get('me/make-ups')
  @ApiOperation({
    summary:
      'Make-up study owed for missed study days and sessions, open first, with each lesson’s state',
  })
  async makeUps(@CurrentActor() actor: Actor) {
    return { items: await this.leave.makeUpsOf(actor.userId), nextCursor: null };
  }

  @Post('training-sessions')
  @Roles('trainer', 'secretary', 'admin')
  @ApiOperation({ summary: 'Schedule an in-person session of a course for an organisation' })
  createSession(@CurrentActor() actor: Actor, @Body() dto: CreateTrainingSessionDto) {
    return this.training.create(actor, dto);
  }

  @Get('training-sessions/:id')
  getSession(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return this.training.get(actor, id);
  }

  @Post('training-sessions/:id/check-in-code')
  @HttpCode(200)
  @Roles('trainer', 'secretary', 'admin')
  @ApiOperation({ summary: 'Open check-in: the current rotating code and its QR code' })
  code(@CurrentActor() actor: Actor, @Param('id') id: string, @Req() req: AppRequest) {
    return this.checkIns.openCheckIn(
      actor,
      id,
      'training_session',
      requestOrigin(req, this.config.publicUrl),
      req.lang,
    );
  }

  @Post('training-sessions/:id/check-in')
  checkIn(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() dto: CheckInDto,
    @ClientIp() ip: string,
  ) {
    return this.checkIns.checkIn(actor, id, 'training_session', dto.code, ip);
  }

  @Post('training-sessions/:id/leave')
  askLeave(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() dto: LeaveDto) {
    return this.leave.requestLeave(actor, id, 'training_session', dto.reason);
  }

  @Post('training-sessions/:id/close')
  @HttpCode(200)
  @Roles('trainer', 'secretary', 'admin')
  close(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return this.attendance.close(actor, id, 'training_session');
  }

  @Get('training-sessions/:id/attendance')
  @Roles('trainer', 'secretary', 'admin')
  roster(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return this.attendance.roster(actor, id, 'training_session');
  }

  @Post('training-sessions/:id/attendance')
  @Roles('trainer', 'secretary', 'admin')
  record(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() dto: RecordAttendanceDto,
    @ClientIp() ip: string,
  ) {
    return this.checkIns.recordFor(actor, id, 'training_session', dto, ip);
  }
}
