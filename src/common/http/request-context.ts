import { FastifyReply, FastifyRequest } from 'fastify';
import { Actor } from '../access/actor';
import { Lang } from '../i18n/i18n';

declare module 'fastify' {
  interface FastifyRequest {
    actor?: Actor;
    lang: Lang;
  }
}

export type AppRequest = FastifyRequest;
export type AppReply = FastifyReply;

/** JSON routes live under /api; everything else is a page and gets HTML errors. */
export function isApiRequest(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/') || request.url === '/healthz';
}

declare module 'fastify' {
  interface FastifyReply {
    locals?: Record<string, unknown>;
  }
}
