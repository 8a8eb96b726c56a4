import { Body, Controller, Get, Header, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { Actor } from '../common/access/actor';
import { contentDisposition } from '../common/http/content-disposition';
import { ClientIp, CurrentActor, Public, Roles } from '../auth/auth.decorators';
import { CertificatesService } from './certificates.service';
import {
  ExportQuery,
  ReissueCertificateDto,
  RevokeCertificateDto,
  SignOffTaskDto,
  SubmitTaskDto,
} from './dto/certification.dto';
import { QualificationService } from './qualification.service';
import { TasksService } from './tasks.service';

@ApiTags('certification')
@ApiBearerAuth()
@Controller('api/v1')
export class CertificationApiController {
  constructor(
    private readonly certificates: CertificatesService,
    private readonly qualification: QualificationService,
    private readonly tasks: TasksService,
  ) {}

  @Get('me/certificates')
  @ApiOperation({
    summary:
      'My certificates: {items: [{id, serial, title, level, hours, issuedAt, verifyCode, status}]}',
  })
  mine(@CurrentActor() actor: Actor) {
    return this.certificates.mine(actor);
  }

  @Get('me/qualification')
  @ApiOperation({
    summary:
      'Level held, next level’s requirements and progress, continuing education in the registration period',
  })
  myQualification(@CurrentActor() actor: Actor) {
    return this.qualification.mine(actor);
  }

  @Get('users/:id/qualification')
  @Roles('secretary', 'admin')
  personQualification(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return this.qualification.ofPerson(actor, id);
  }

  @Get('users/:id/certificates')
  @Roles('secretary', 'admin')
  personCertificates(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return this.certificates.ofPerson(actor, id);
  }

  @Get('qualification/behind')
  @Roles('secretary', 'admin')
  @ApiOperation({
    summary: 'Registered social workers in scope who are behind on continuing education',
  })
  behind(@CurrentActor() actor: Actor) {
    return this.qualification.behind(actor);
  }

  @Get('certificates/export.zip')
  @Roles('secretary', 'admin')
  @ApiProduces('application/zip')
  @ApiOperation({
    summary: 'All certificates of a subtree issued in a date range, as one ZIP with index.csv',
  })
  async exportZip(
    @CurrentActor() actor: Actor,
    @Query() query: ExportQuery,
    @ClientIp() ip: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const zip = await this.certificates.exportZip(actor, query, ip);
    void reply
      .header('content-type', 'application/zip')
      .header('content-disposition', contentDisposition('attachment', zip.filename));
    return Buffer.from(zip.bytes);
  }

  @Get('certificates/:id/pdf')
  @ApiProduces('application/pdf')
  @ApiOperation({ summary: 'The certificate PDF as issued (owner, secretary/admin in scope)' })
  async pdf(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const file = await this.certificates.pdf(actor, id);
    void reply
      .header('content-type', 'application/pdf')
      .header('content-disposition', contentDisposition('inline', file.filename))
      .header('x-content-sha256', file.sha256);
    return file.bytes;
  }

  @Post('certificates/:id/revoke')
  @Roles('admin')
  @ApiOperation({ summary: 'Revoke with a reason; the verification page then says revoked' })
  revoke(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() dto: RevokeCertificateDto,
    @ClientIp() ip: string,
  ) {
    return this.certificates.revoke(actor, id, dto.reason, ip);
  }

  @Post('certificates/:id/reissue')
  @Roles('secretary', 'admin')
  @ApiOperation({ summary: 'Issue a replacement; the old serial stays verifiable as superseded' })
  reissue(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() dto: ReissueCertificateDto,
    @ClientIp() ip: string,
  ) {
    return this.certificates.reissue(actor, id, dto.reason, ip);
  }

  @Get('verify/:code')
  @Public()
  @Header('cache-control', 'no-store')
  @Header('x-robots-tag', 'noindex, nofollow')
  @ApiOperation({
    summary:
      'Public verification: status, masked holder, title, level, hours, trainingKind, issuedAt, issuer, pdfSha256',
  })
  verify(@Param('code') code: string, @ClientIp() ip: string) {
    return this.certificates.verify(code, ip);
  }

  @Get('tasks/pending')
  @Roles('trainer', 'secretary')
  @ApiOperation({ summary: 'Practical-task submissions waiting for the mentor’s sign-off' })
  pending(@CurrentActor() actor: Actor) {
    return this.tasks.pending(actor);
  }

  @Get('me/tasks')
  myTasks(@CurrentActor() actor: Actor) {
    return this.tasks.mine(actor);
  }

  @Post('tasks/:lessonId/submit')
  @ApiOperation({ summary: 'Submit my practical task with a note for the mentor' })
  submit(
    @CurrentActor() actor: Actor,
    @Param('lessonId') lessonId: string,
    @Body() dto: SubmitTaskDto,
  ) {
    return this.tasks.submit(actor, lessonId, dto.note);
  }

  @Post('tasks/:lessonId/sign-off')
  @Roles('trainer', 'secretary')
  @ApiOperation({ summary: 'Mentor signs a learner’s task off; credits its hours' })
  signOff(
    @CurrentActor() actor: Actor,
    @Param('lessonId') lessonId: string,
    @Body() dto: SignOffTaskDto,
    @ClientIp() ip: string,
  ) {
    return this.tasks.signOff(actor, lessonId, dto.userId, dto.note, ip);
  }
}
