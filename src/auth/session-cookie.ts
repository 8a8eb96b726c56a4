import { CookieSerializeOptions } from '@fastify/cookie';
import { FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'sid';

/** Signed, HttpOnly, SameSite=Lax; Secure whenever the request came over HTTPS. */
export function sessionCookieOptions(request: FastifyRequest): CookieSerializeOptions {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    signed: true,
  };
}
