import { Controller, Get, Render, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Actor } from '../common/access/actor';
import { AppRequest } from '../common/http/request-context';
import { translate } from '../common/i18n/i18n';
import { CurrentActor } from '../auth/auth.decorators';
import { HomeService } from './home.service';

@ApiExcludeController()
@Controller()
export class HomeController {
  constructor(private readonly home: HomeService) {}

  @Get()
  @Render('home/dashboard')
  async dashboard(@CurrentActor() actor: Actor, @Req() req: AppRequest) {
    return { title: translate(req.lang, 'pages.home.title'), ...(await this.home.page(actor)) };
  }
}
