import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { Actor, Role } from '../common/access/actor';

export const PUBLIC_KEY = 'auth:public';
export const ROLES_KEY = 'auth:roles';
export const PASSWORD_CHANGE_EXEMPT = 'auth:passwordChangeExempt';

/** The route needs no sign-in (login page, verification, health). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_KEY, true);

/** The page stays reachable while the person must still change a password someone else chose (and sign out). */
export const PasswordChangeExempt = (): MethodDecorator & ClassDecorator =>
  SetMetadata(PASSWORD_CHANGE_EXEMPT, true);

/**
 * The route needs one of these roles somewhere; the service method then checks the organisation scope of the
 * very rows it touches, so a page and its JSON twin share one check.
 */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator =>
  SetMetadata(ROLES_KEY, roles);

/** The signed-in actor; the guard has already refused anonymous requests. */
export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  const actor = ctx.switchToHttp().getRequest<FastifyRequest>().actor;
  if (!actor) {
    throw new Error('CurrentActor used on a public route');
  }
  return actor;
});

export const ClientIp = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): string => ctx.switchToHttp().getRequest<FastifyRequest>().ip,
);
