import { Readable } from 'node:stream';
import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { Actor } from '../common/access/actor';
import { contentDisposition } from '../common/http/content-disposition';
import { JsonChunks, jsonChunks, recycle } from '../common/http/json-chunks';
import { AppRequest } from '../common/http/request-context';
import { ClientIp, CurrentActor, Roles } from '../auth/auth.decorators';
import { ReportQuery } from './dto/report-query.dto';
import { ReportAnswer, ReportsService } from './reports.service';

const FILE_TYPES = [
  'application/json',
  'text/csv',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
];

@ApiTags('reports')
@ApiBearerAuth()
@Controller('api/v1/reports')
@Roles('secretary', 'admin')
export class ReportsApiController {
  constructor(private readonly reports: ReportsService) {}

  @Get('regularity')
  @ApiProduces(...FILE_TYPES)
  @ApiOperation({
    summary:
      'Branch x month regularity of a subtree with a street/community roll-up; ?format=csv|xlsx downloads',
  })
  async regularity(
    @CurrentActor() actor: Actor,
    @Query() q: ReportQuery,
    @Req() req: AppRequest,
    @ClientIp() ip: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return send(reply, await this.reports.regularity(actor, q, req.lang, ip));
  }

  @Get('completion')
  @ApiProduces(...FILE_TYPES)
  @ApiOperation({
    summary:
      'Completion per course, training kind and organisation node, with learners and hours; ?format=csv|xlsx',
  })
  async completion(
    @CurrentActor() actor: Actor,
    @Query() q: ReportQuery,
    @Req() req: AppRequest,
    @ClientIp() ip: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return send(reply, await this.reports.completion(actor, q, req.lang, ip));
  }

  @Get('hours')
  @ApiProduces(...FILE_TYPES)
  @ApiOperation({
    summary:
      'Study hours against the yearly requirements per person and node, and per month; ?format=csv|xlsx',
  })
  async hours(
    @CurrentActor() actor: Actor,
    @Query() q: ReportQuery,
    @Req() req: AppRequest,
    @ClientIp() ip: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return send(reply, await this.reports.hours(actor, q, req.lang, ip));
  }

  @Get('continuing-education')
  @ApiProduces(...FILE_TYPES)
  @ApiOperation({
    summary:
      'Registered social workers whose registration period ends soon, with continuing-education hours',
  })
  async continuing(
    @CurrentActor() actor: Actor,
    @Query() q: ReportQuery,
    @Req() req: AppRequest,
    @ClientIp() ip: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return send(reply, await this.reports.continuing(actor, q, req.lang, ip));
  }

  @Get('items')
  @ApiProduces(...FILE_TYPES)
  @ApiOperation({
    summary:
      'Quiz questions missed most by the people of a subtree; ?course= narrows; ?format=csv|xlsx',
  })
  async items(
    @CurrentActor() actor: Actor,
    @Query() q: ReportQuery,
    @Req() req: AppRequest,
    @ClientIp() ip: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return send(reply, await this.reports.items(actor, q, req.lang, ip));
  }
}

/**
 * JSON as usual; a file as an attachment that no cache keeps (it holds people's names).
 *
 * JSON of report bodies, by body: officers opening the same report together share one computed report
 * (RegularityService), and a city-wide report is ~17 MB of JSON, so it is serialised once into chunks that every
 * response streams in turn (a string would be encoded again for each of them; see jsonChunks). Once every one of
 * those answers has been handed to the operating system, the chunks go back for the next report (see recycle);
 * an answer cut off part way leaves them to the garbage collector.
 */
const serialised = new WeakMap<object, { json: JsonChunks; sending: number; cutOff: boolean }>();

export function send(reply: FastifyReply, answer: ReportAnswer): unknown {
  if (answer.kind === 'json') {
    const body = answer.body;
    if (typeof body !== 'object' || body === null) {
      return body;
    }
    const shared = serialised.get(body) ?? { json: jsonChunks(body), sending: 0, cutOff: false };
    serialised.set(body, shared);
    const { json } = shared;
    shared.sending++;
    reply.raw.once('close', () => {
      shared.sending--;
      shared.cutOff ||= !reply.raw.writableFinished;
      if (shared.sending === 0 && serialised.get(body) === shared) {
        serialised.delete(body);
        if (!shared.cutOff) {
          recycle(json);
        }
      }
    });
    void reply.type('application/json; charset=utf-8').header('content-length', json.length);
    return Readable.from(json.chunks, { objectMode: false });
  }
  void reply
    .header('content-type', answer.file.contentType)
    .header('content-disposition', contentDisposition('attachment', answer.file.fileName))
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff');
  return answer.file.body;
}
