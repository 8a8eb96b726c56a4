import { Controller, Get, Query, Render, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { CurrentActor, Roles } from '../auth/auth.decorators';
import { Actor } from '../common/access/actor';
import { AppRequest } from '../common/http/request-context';
import { translate } from '../common/i18n/i18n';
import { AuditReadService } from './audit-read.service';
import { AuditQuery } from './dto/audit-query.dto';
import { toAuditRows } from './audit.view';

@ApiExcludeController()
@Controller('admin/audit')
export class AuditPagesController {
  constructor(private readonly audit: AuditReadService) {}

  @Get()
  @Roles('admin')
  @Render('audit/list')
  async list(@CurrentActor() actor: Actor, @Query() query: AuditQuery, @Req() req: AppRequest) {
    const page = await this.audit.list(actor, query);
    return {
      title: translate(req.lang, 'audit.title'),
      rows: toAuditRows(page.items, req.lang),
      org: query.org ?? '',
      nextCursor: page.nextCursor,
    };
  }
}
