import { Body, Controller, Get, HttpCode, Param, Post, Render, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { Actor } from '../common/access/actor';
import { AppException } from '../common/errors/app.exception';
import { AppRequest } from '../common/http/request-context';
import { translate } from '../common/i18n/i18n';
import { ClientIp, CurrentActor, PasswordChangeExempt, Public, Roles } from './auth.decorators';
import { CsrfOnlyDto } from './dto/login.dto';
import { ChangePasswordFormDto, ResetPasswordFormDto } from './dto/password.dto';
import { PasswordsService } from './passwords.service';
import { SESSION_COOKIE, sessionCookieOptions } from './session-cookie';

/** Mistakes shown on the same form rather than on an error page. */
const FORM_ERRORS = new Set([
  'CURRENT_PASSWORD_WRONG',
  'PASSWORD_CONFIRM_MISMATCH',
  'PASSWORD_REJECTED',
  'LOGIN_THROTTLED',
]);

function formError(error: unknown): error is AppException {
  return error instanceof AppException && FORM_ERRORS.has(error.code);
}

function message(req: AppRequest, error: AppException): string {
  const params: Record<string, unknown> = { ...error.params };
  if (typeof params.reasonKey === 'string') {
    params.reason = translate(req.lang, params.reasonKey);
  }
  return translate(req.lang, `errors.${error.code}`, params);
}

/** The reset pages carry a secret in their address: never cached, never sent on as a referrer. */
function secretPage(reply: FastifyReply): void {
  void reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
}

@ApiExcludeController()
@Controller()
export class PasswordsPagesController {
  constructor(private readonly passwords: PasswordsService) {}

  @Get('me/password')
  @PasswordChangeExempt()
  @Render('auth/password')
  changePage(@CurrentActor() actor: Actor, @Req() req: AppRequest) {
    return {
      title: translate(req.lang, 'auth.password.title'),
      forced: actor.mustChangePassword === true,
    };
  }

  @Post('me/password')
  @PasswordChangeExempt()
  async change(
    @CurrentActor() actor: Actor,
    @Body() form: ChangePasswordFormDto,
    @ClientIp() ip: string,
    @Req() req: AppRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    try {
      const { secret } = await this.passwords.changeOwn(actor, form, ip, 'rotate');
      // A fresh session id for the new credentials; the old cookie died with every other session.
      if (secret) {
        void reply.setCookie(SESSION_COOKIE, secret, sessionCookieOptions(req));
      }
      return reply.status(200).view('auth/password-done', {
        title: translate(req.lang, 'auth.password.done'),
      });
    } catch (error) {
      if (!formError(error)) {
        throw error;
      }
      if (error.code === 'LOGIN_THROTTLED') {
        void reply.header('retry-after', String(error.params.seconds ?? 60));
      }
      return reply.status(error.status).view('auth/password', {
        title: translate(req.lang, 'auth.password.title'),
        forced: actor.mustChangePassword === true,
        error: message(req, error),
      });
    }
  }

  @Public()
  @Get('reset-password/:token')
  async resetPage(
    @Param('token') token: string,
    @Req() req: AppRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    secretPage(reply);
    try {
      const { username } = await this.passwords.resetTarget(token);
      return reply.view('auth/reset', {
        title: translate(req.lang, 'auth.reset.title'),
        token,
        username,
      });
    } catch (error) {
      return this.invalidLink(error, req, reply);
    }
  }

  @Public()
  @Post('reset-password/:token')
  async reset(
    @Param('token') token: string,
    @Body() form: ResetPasswordFormDto,
    @ClientIp() ip: string,
    @Req() req: AppRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    secretPage(reply);
    let username = '';
    try {
      ({ username } = await this.passwords.resetTarget(token));
      await this.passwords.completeReset(token, form.newPassword, form.confirmPassword, ip);
      return reply.status(200).view('auth/reset', {
        title: translate(req.lang, 'auth.reset.done'),
        done: true,
      });
    } catch (error) {
      if (!formError(error)) {
        return this.invalidLink(error, req, reply);
      }
      return reply.status(error.status).view('auth/reset', {
        title: translate(req.lang, 'auth.reset.title'),
        token,
        username,
        error: message(req, error),
      });
    }
  }

  /** The button on /admin: generates the link and shows it this once. */
  @Post('admin/people/:id/password-reset')
  @HttpCode(200)
  @Roles('admin', 'secretary')
  @Render('auth/reset-link')
  async issue(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() _form: CsrfOnlyDto,
    @ClientIp() ip: string,
    @Req() req: AppRequest,
  ) {
    const issued = await this.passwords.issueReset(actor, id, ip);
    return { title: translate(req.lang, 'auth.reset.linkTitle'), ...issued };
  }

  private invalidLink(error: unknown, req: AppRequest, reply: FastifyReply): FastifyReply {
    if (!(error instanceof AppException) || error.code !== 'RESET_LINK_INVALID') {
      throw error;
    }
    return reply.status(error.status).view('auth/reset', {
      title: translate(req.lang, 'auth.reset.invalidTitle'),
      invalid: true,
      message: message(req, error),
    });
  }
}
