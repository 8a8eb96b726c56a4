import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { Public, Roles } from '../auth/auth.decorators';
import { DatabaseHealth, DatabaseHealthService } from './database-health.service';

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(private readonly health: DatabaseHealthService) {}

  @Public()
  @Get('healthz')
  @ApiOperation({
    summary:
      '{"status":"ok","db":"ok"}; 503 with "db":"down" when the database is unreachable or its file was moved',
  })
  async healthz(@Res() reply: FastifyReply): Promise<void> {
    if (await this.health.alive()) {
      await reply.header('cache-control', 'no-store').send({ status: 'ok', db: 'ok' });
    } else {
      await reply
        .status(503)
        .header('cache-control', 'no-store')
        .send({ status: 'degraded', db: 'down' });
    }
  }

  @Roles('admin')
  @Get('api/v1/admin/health')
  @ApiOperation({
    summary:
      'admin: durability settings of the database (SQLite pragmas or PostgreSQL fsync, synchronous_commit, ' +
      'full_page_writes), whether it answers and, on SQLite, whether its file is still the one opened at start-up',
  })
  async detail(@Res() reply: FastifyReply): Promise<void> {
    const detail: DatabaseHealth = await this.health.detail();
    await reply
      .status(detail.status === 'ok' ? 200 : 503)
      .header('cache-control', 'no-store')
      .send(detail);
  }
}
