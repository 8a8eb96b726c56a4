import { Controller, Get, Post, Query, Render, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Actor } from '../common/access/actor';
import { AppRequest } from '../common/http/request-context';
import { translate } from '../common/i18n/i18n';
import { readUpload } from '../common/http/upload';
import { ClientIp, CurrentActor, Roles } from '../auth/auth.decorators';
import { ListUsersQuery } from './dto/user.dto';
import { AdminPagesService } from './admin-pages.service';
import { UserImportService } from './user-import.service';

@ApiExcludeController()
@Controller('admin')
export class AdminPagesController {
  constructor(
    private readonly pages: AdminPagesService,
    private readonly importer: UserImportService,
  ) {}

  @Get()
  @Roles('admin', 'secretary')
  @Render('admin/people')
  async people(
    @CurrentActor() actor: Actor,
    @Query() query: ListUsersQuery,
    @Req() req: AppRequest,
  ) {
    return {
      title: translate(req.lang, 'admin.people.title'),
      ...(await this.pages.peoplePage(actor, query)),
    };
  }

  /** The CSV upload form of /admin: the same service as POST /api/v1/users/import, results shown per row. */
  @Post('people/import')
  @Roles('admin', 'secretary')
  @Render('admin/people')
  async importPeople(@CurrentActor() actor: Actor, @Req() req: AppRequest, @ClientIp() ip: string) {
    const csv = await readUpload(req, { maxBytes: 2 * 1024 * 1024, kinds: ['text'] });
    const summary = await this.importer.importCsv(actor, csv.toString('utf8'), ip);
    return {
      title: translate(req.lang, 'admin.people.title'),
      ...(await this.pages.peoplePage(actor, new ListUsersQuery())),
      imported: {
        ...summary,
        rows: summary.rows.map((r) => ({
          row: r.row,
          username: r.username,
          created: r.status === 'created',
          message: r.messageKey
            ? translate(req.lang, r.messageKey, r.messageParams)
            : (r.message ?? ''),
          temporaryPassword: r.temporaryPassword,
        })),
      },
    };
  }
}
