import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, Roles } from '../auth/auth.decorators';
import { Actor } from '../common/access/actor';
import { AuditReadService } from './audit-read.service';
import { AuditQuery } from './dto/audit-query.dto';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/v1')
export class AuditApiController {
  constructor(private readonly audit: AuditReadService) {}

  @Get('audit')
  @Roles('admin')
  @ApiOperation({ summary: 'Audit log of the subtrees the admin covers, newest first; read-only' })
  list(@CurrentActor() actor: Actor, @Query() query: AuditQuery) {
    return this.audit.list(actor, query);
  }
}
