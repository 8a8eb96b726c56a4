import { Body, Controller, Get, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { Actor } from '../common/access/actor';
import { AppException } from '../common/errors/app.exception';
import { translate } from '../common/i18n/i18n';
import { AppRequest } from '../common/http/request-context';
import { Req } from '@nestjs/common';
import { ClientIp, CurrentActor, PasswordChangeExempt, Public } from './auth.decorators';
import { AuthService } from './auth.service';
import { CHANGE_PASSWORD_PAGE } from './password-change.guard';
import { SESSION_COOKIE, sessionCookieOptions } from './session-cookie';
import { CsrfOnlyDto, LoginFormDto } from './dto/login.dto';

const safeNext = (next: unknown): string =>
  typeof next === 'string' && /^\/(?!\/)/.test(next) && !next.startsWith('/login') ? next : '/';

@ApiExcludeController()
@Controller()
export class AuthPagesController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Get('login')
  async loginPage(
    @Query('next') next: unknown,
    @Req() req: AppRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (req.actor) {
      return reply.redirect(safeNext(next), 303);
    }
    return reply.view('auth/login', {
      title: translate(req.lang, 'auth.login.title'),
      next: safeNext(next),
      bare: true,
    });
  }

  @Public()
  @Post('login')
  async login(
    @Body() form: LoginFormDto,
    @ClientIp() ip: string,
    @Req() req: AppRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    try {
      const { secret, actor } = await this.auth.signIn(form.username, form.password, 'cookie', ip);
      void reply.setCookie(SESSION_COOKIE, secret, sessionCookieOptions(req));
      // A password someone else chose is replaced before anything else (PasswordChangeGuard holds the other pages).
      return reply.redirect(
        actor.mustChangePassword ? CHANGE_PASSWORD_PAGE : safeNext(form.next),
        303,
      );
    } catch (error) {
      if (!(error instanceof AppException) || (error.status !== 401 && error.status !== 429)) {
        throw error;
      }
      if (error.status === 429) {
        void reply.header('retry-after', String(error.params.seconds ?? 60));
      }
      return reply.status(error.status).view('auth/login', {
        title: translate(req.lang, 'auth.login.title'),
        next: safeNext(form.next),
        username: form.username,
        error: translate(req.lang, `errors.${error.code}`, error.params),
        bare: true,
      });
    }
  }

  @Post('logout')
  @PasswordChangeExempt()
  async logout(
    @Body() _form: CsrfOnlyDto,
    @CurrentActor() actor: Actor,
    @Req() req: AppRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.auth.signOut(actor);
    void reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(req));
    return reply.redirect('/login', 303);
  }
}
