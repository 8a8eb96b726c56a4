import { Controller, Get, Query, Render, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Actor } from '../common/access/actor';
import { AppRequest } from '../common/http/request-context';
import { translate } from '../common/i18n/i18n';
import { CurrentActor, Roles } from '../auth/auth.decorators';
import { ListUsersQuery } from './dto/user.dto';
import { AdminPagesService } from './admin-pages.service';

@ApiExcludeController()
@Controller('admin')
export class AdminPagesController {
  constructor(private readonly pages: AdminPagesService) {}

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
}
