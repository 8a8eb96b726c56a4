import { Controller, Get, Query, Render, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Actor } from '../common/access/actor';
import { AppRequest } from '../common/http/request-context';
import { CurrentActor, Roles } from '../auth/auth.decorators';
import { ReportQuery } from './dto/report-query.dto';
import { ReportsPagesService } from './reports-pages.service';

@ApiExcludeController()
@Controller('reports')
@Roles('secretary', 'admin')
export class ReportsPagesController {
  constructor(private readonly pages: ReportsPagesService) {}

  @Get()
  @Render('reports/index')
  index(@CurrentActor() actor: Actor, @Query() q: ReportQuery, @Req() req: AppRequest) {
    return this.pages.index(actor, q, req.lang);
  }

  @Get('learning')
  @Render('reports/learning')
  learning(@CurrentActor() actor: Actor, @Query() q: ReportQuery, @Req() req: AppRequest) {
    return this.pages.learningPage(actor, q, req.lang);
  }

  @Get('hours')
  @Render('reports/hours')
  hours(@CurrentActor() actor: Actor, @Query() q: ReportQuery, @Req() req: AppRequest) {
    return this.pages.hoursPage(actor, q, req.lang);
  }
}
