import { Body, Controller, Get, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { CurrentActor, Roles } from '../auth/auth.decorators';
import { Actor } from '../common/access/actor';
import { contentDisposition } from '../common/http/content-disposition';
import { AppRequest } from '../common/http/request-context';
import { readUpload } from '../common/http/upload';
import { translate } from '../common/i18n/i18n';
import { AssessmentIdPipe } from './assessment-id.pipe';
import { AttemptsService } from './attempts.service';
import { BanksService, ImportResult } from './banks.service';
import {
  CreateQuizDto,
  ExportBankQuery,
  ImportBankQuery,
  PracticeDto,
  SaveAnswerDto,
} from './dto/assessment.dto';
import { ItemAnalysisService } from './item-analysis.service';
import { NotebookService } from './notebook.service';
import { QuizzesService } from './quizzes.service';
import { toAttemptSummary, toQuizSettings } from './assessment.view';

/** Bank uploads: GIFT and bank markdown are small text files. */
export const BANK_UPLOAD_MAX = 1024 * 1024;

@ApiTags('assessment')
@ApiBearerAuth()
@Controller('api/v1')
export class AssessmentApiController {
  constructor(
    private readonly banks: BanksService,
    private readonly quizzes: QuizzesService,
    private readonly attempts: AttemptsService,
    private readonly notebook: NotebookService,
    private readonly analysis: ItemAnalysisService,
  ) {}

  @Get('question-banks')
  @Roles('trainer', 'admin')
  @ApiOperation({ summary: 'Question banks the trainer may use' })
  async listBanks(@CurrentActor() actor: Actor) {
    return { items: await this.banks.list(actor), nextCursor: null };
  }

  @Post('question-banks/import')
  @Roles('trainer', 'admin')
  @ApiConsumes('text/plain', 'multipart/form-data')
  @ApiOperation({
    summary: 'Import GIFT or bank markdown (raw body or multipart field "file")',
    description:
      'A file with any malformed question is refused whole (400, nothing imported, every error with its line) unless partial=1 confirms importing the rest.',
  })
  async importBank(
    @CurrentActor() actor: Actor,
    @Query() query: ImportBankQuery,
    @Req() req: AppRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<
    ImportResult | (ImportResult & { statusCode: number; error: string; message: string })
  > {
    const file = await readUpload(req, { maxBytes: BANK_UPLOAD_MAX, kinds: ['text'] });
    const result = await this.banks.importFile(actor, query, file.toString('utf8'), req.lang);
    if (result.refused) {
      void reply.status(400);
      return {
        statusCode: 400,
        error: 'IMPORT_HAS_ERRORS',
        message: translate(req.lang, 'errors.IMPORT_HAS_ERRORS', { n: result.errors.length }),
        ...result,
      };
    }
    void reply.status(201);
    return result;
  }

  @Get('question-banks/:id/export')
  @Roles('trainer', 'admin')
  @ApiOperation({ summary: 'Export a bank as GIFT (Moodle) or bank markdown' })
  async exportBank(
    @CurrentActor() actor: Actor,
    @Param('id', AssessmentIdPipe) id: string,
    @Query() query: ExportBankQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const file = await this.banks.export(actor, id, query.format);
    void reply
      .header('content-type', file.contentType)
      .header('content-disposition', contentDisposition('attachment', file.fileName));
    return file.body;
  }

  @Post('quizzes')
  @Roles('trainer', 'admin')
  @ApiOperation({ summary: 'Create a quiz from a bank' })
  createQuiz(@CurrentActor() actor: Actor, @Body() dto: CreateQuizDto) {
    return this.quizzes.create(actor, dto);
  }

  @Get('quizzes/:id')
  @ApiOperation({ summary: 'A quiz’s settings and the caller’s attempts' })
  async getQuiz(@CurrentActor() actor: Actor, @Param('id', AssessmentIdPipe) id: string) {
    const { quiz, enrolled } = await this.quizzes.access(actor, id);
    const mine = await this.attempts.mine(actor, quiz.id);
    return {
      ...toQuizSettings(quiz),
      enrolled,
      attemptsUsed: mine.length,
      attemptsLeft:
        quiz.attemptsAllowed === null ? null : Math.max(0, quiz.attemptsAllowed - mine.length),
      attempts: mine.map(toAttemptSummary),
    };
  }

  @Post('quizzes/:id/attempts')
  @ApiOperation({
    summary: 'Start (or resume) an attempt; nothing in the answer reveals a correct answer',
  })
  async start(
    @CurrentActor() actor: Actor,
    @Param('id', AssessmentIdPipe) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const started = await this.attempts.start(actor, id);
    void reply.status(started.resumed ? 200 : 201);
    return started;
  }

  @Put('attempts/:id/answers')
  @ApiOperation({ summary: 'Save one answer; 409 after the deadline or submission' })
  saveAnswer(
    @CurrentActor() actor: Actor,
    @Param('id', AssessmentIdPipe) id: string,
    @Body() dto: SaveAnswerDto,
  ) {
    return this.attempts.saveAnswer(actor, id, dto.questionId, dto.response);
  }

  @Post('attempts/:id/submit')
  @ApiOperation({ summary: 'Grade the attempt; a repeat returns the same result' })
  submit(@CurrentActor() actor: Actor, @Param('id', AssessmentIdPipe) id: string) {
    return this.attempts.submit(actor, id);
  }

  @Get('attempts/:id')
  @ApiOperation({ summary: 'The attempt, with the review the quiz’s policy allows' })
  async getAttempt(
    @CurrentActor() actor: Actor,
    @Param('id', AssessmentIdPipe) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    void reply.header('cache-control', 'no-store');
    const { quiz: _quiz, asAuthor: _asAuthor, ...view } = await this.attempts.view(actor, id);
    return view;
  }

  @Get('me/notebook')
  @ApiOperation({ summary: 'The wrong-answer notebook' })
  myNotebook(@CurrentActor() actor: Actor) {
    return this.notebook.list(actor);
  }

  @Post('me/notebook/:questionId/practice')
  @ApiOperation({
    summary: 'Practise a notebook question (untimed, not graded); two right answers clear it',
  })
  practise(
    @CurrentActor() actor: Actor,
    @Param('questionId', AssessmentIdPipe) questionId: string,
    @Body() dto: PracticeDto,
  ) {
    return this.notebook.practise(actor, questionId, dto.response);
  }

  @Get('quizzes/:id/analysis')
  @Roles('trainer', 'admin')
  @ApiOperation({ summary: 'Item analysis of a quiz (trainer in scope)' })
  analyse(@CurrentActor() actor: Actor, @Param('id', AssessmentIdPipe) id: string) {
    return this.analysis.forQuiz(actor, id);
  }
}
