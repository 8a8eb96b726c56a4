import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { FastifyRequest } from 'fastify';
import { holdsRole, Role } from '../common/access/actor';
import { AuthException } from './auth.exception';
import { PUBLIC_KEY, ROLES_KEY } from './auth.decorators';

/** Global guard: every route needs a signed-in person unless @Public, and one of its @Roles when given. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) {
      return true;
    }
    const actor = context.switchToHttp().getRequest<FastifyRequest>().actor;
    if (!actor) {
      throw new AuthException('NOT_SIGNED_IN');
    }
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !holdsRole(actor, roles)) {
      throw new AuthException('FORBIDDEN');
    }
    return true;
  }
}
