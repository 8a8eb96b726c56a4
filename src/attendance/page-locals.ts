import { FastifyReply } from 'fastify';
import { AppRequest } from '../common/http/request-context';
import { navFor } from '../common/views/nav';

/** The layout's context for a page rendered in answer to a POST (the shared hook fills it only for GETs). */
export function pageLocals(req: AppRequest, reply: FastifyReply): Record<string, unknown> {
  const path = req.url.split('?')[0] ?? '/';
  return {
    lang: req.lang,
    htmlLang: req.lang,
    isEnglish: req.lang === 'en',
    path,
    actor: req.actor
      ? {
          displayName: req.actor.displayName,
          roles: [...new Set(req.actor.grants.map((g) => g.role))],
        }
      : null,
    nav: navFor(req.actor, path),
    csrfToken: reply.generateCsrf(),
  };
}
