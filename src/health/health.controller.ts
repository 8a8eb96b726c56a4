import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { Public } from '../auth/auth.decorators';

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(private readonly dataSource: DataSource) {}

  @Public()
  @Get('healthz')
  @ApiOperation({
    summary: '{"status":"ok","db":"ok"}; 503 with "db":"down" when the database is unreachable',
  })
  async health(@Res() reply: FastifyReply): Promise<void> {
    try {
      await this.dataSource.query('SELECT 1');
      await reply.header('cache-control', 'no-store').send({ status: 'ok', db: 'ok' });
    } catch {
      await reply
        .status(503)
        .header('cache-control', 'no-store')
        .send({ status: 'degraded', db: 'down' });
    }
  }
}
