import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { FastifyReply, FastifyRequest } from 'fastify';
import { isApiRequest } from '../common/http/request-context';
import { PASSWORD_CHANGE_EXEMPT, PUBLIC_KEY } from './auth.decorators';

export const CHANGE_PASSWORD_PAGE = '/me/password';

/**
 * A person whose password someone else chose (an officer, a CSV import) uses the pages only to change it: every
 * other page sends them to /me/password until they have. The JSON API is not held back (the sign-in answer says
 * `mustChangePassword: true`), so scripts and the apps can lead the person there themselves.
 */
@Injectable()
export class PasswordChangeGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    if (!req.actor?.mustChangePassword || req.actor.via !== 'cookie' || isApiRequest(req)) {
      return true;
    }
    const targets = [context.getHandler(), context.getClass()];
    if (
      this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets) ||
      this.reflector.getAllAndOverride<boolean>(PASSWORD_CHANGE_EXEMPT, targets)
    ) {
      return true;
    }
    // The answer is the redirect itself; the exception Nest raises for `false` finds the reply sent and stops.
    void http.getResponse<FastifyReply>().redirect(CHANGE_PASSWORD_PAGE, 303);
    return false;
  }
}
