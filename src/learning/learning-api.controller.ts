import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/access/actor';
import { CurrentActor } from '../auth/auth.decorators';
import { EnrolDto } from './dto/learning.dto';
import { EnrolmentService } from './enrolment.service';
import { LedgerService } from './ledger.service';
import { LessonProgressService } from './lesson-progress.service';

@ApiTags('learning')
@ApiBearerAuth()
@Controller('api/v1')
export class LearningApiController {
  constructor(
    private readonly enrolments: EnrolmentService,
    private readonly progress: LessonProgressService,
    private readonly ledger: LedgerService,
  ) {}

  @Post('courses/:slug/enrol')
  @ApiOperation({
    summary: 'Enrol yourself, or (secretary/admin) someone of your subtree with a due date',
  })
  enrol(@CurrentActor() actor: Actor, @Param('slug') slug: string, @Body() dto: EnrolDto) {
    return this.enrolments.enrol(actor, slug, dto);
  }

  @Get('lessons/:id')
  @ApiOperation({
    summary: 'A lesson with its sanitised html (enrolled learners and the course’s trainers)',
  })
  async lesson(@CurrentActor() actor: Actor, @Param('id') id: string) {
    const l = await this.progress.view(actor, id);
    return {
      id: l.id,
      key: l.key,
      title: l.title,
      titleEn: l.titleEn,
      html: l.html,
      minutes: l.minutes,
      kind: l.kind,
      position: l.position,
      moduleTitle: l.moduleTitle,
      moduleTitleEn: l.moduleTitleEn,
      courseId: l.courseId,
      courseSlug: l.courseSlug,
      versionId: l.versionId,
      trainingKind: l.trainingKind,
      completedAt: l.completedAt,
    };
  }

  @Post('lessons/:id/complete')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Mark a lesson done; hours are credited once however often this is sent',
  })
  complete(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return this.progress.complete(actor, id);
  }

  @Get('me/transcript')
  @ApiOperation({
    summary: 'Requirements that apply to me, hours done and the gap, and the ledger entries',
  })
  transcript(@CurrentActor() actor: Actor) {
    return this.ledger.transcript(actor.userId);
  }
}
