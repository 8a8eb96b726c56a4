import fastifyCompress from '@fastify/compress';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyMultipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import fastifyView from '@fastify/view';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import Handlebars from 'handlebars';
import { readdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { constants as zlibConstants } from 'node:zlib';
import { SESSION_COOKIE } from './auth/session-cookie';
import { SessionsService } from './auth/sessions.service';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter';
import { pickLanguage } from './common/i18n/i18n';
import { isApiRequest } from './common/http/request-context';
import { RememberingSigner } from './common/http/remembering-signer';
import { createValidationPipe } from './common/http/validation';
import { registerHelpers } from './common/views/handlebars-helpers';
import { navFor } from './common/views/nav';
import { AppConfigService } from './config/app-config.service';
import { ForegroundLoad } from './database/foreground-load';
import helmet from 'helmet';

export const ROOT_DIR = resolve(__dirname, '..');
const VIEWS_DIR = join(ROOT_DIR, 'views');
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Upload limits for every multipart route: one file of at most 5 MB and a handful of fields. */
export const UPLOAD_LIMITS = { fileSize: 5 * 1024 * 1024, files: 1, fields: 20, parts: 25 };

function partials(): Record<string, string> {
  const dir = join(VIEWS_DIR, 'partials');
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('.hbs'))
      .map((f) => [f.replace(/\.hbs$/, ''), `partials/${f}`]),
  );
}

/**
 * The headers a helmet middleware sets, read once: with a policy without nonces they are the same for every
 * request, and running its chain of fifteen middlewares on each request (each setting its header on the raw
 * response, validated there one by one) cost ~3% of an answer save's main thread. Fastify writes them with the
 * rest of the reply's headers; a route may still replace one, as before.
 */
function headersOf(
  middleware: (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void,
): Record<string, string> {
  const headers: Record<string, string> = {};
  const collector = {
    setHeader(name: string, value: string | number) {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let finished = false;
  let failure: unknown;
  middleware(
    { headers: {} } as IncomingMessage,
    collector as unknown as ServerResponse,
    (error) => {
      failure = error;
      finished = true;
    },
  );
  if (!finished || failure) {
    throw new Error('the security headers middleware did not finish at once', { cause: failure });
  }
  return headers;
}

function csrfTokenFrom(req: FastifyRequest): string | undefined {
  const body = req.body as Record<string, unknown> | undefined;
  const fromBody =
    body && typeof body === 'object' && typeof body._csrf === 'string' ? body._csrf : undefined;
  const header = req.headers['x-csrf-token'];
  const query = (req.query as Record<string, unknown> | undefined)?._csrf;
  return (
    fromBody ??
    (typeof header === 'string' ? header : undefined) ??
    (typeof query === 'string' ? query : undefined)
  );
}

/**
 * Sets pipes, filters, view engine, static files, cookies, CSRF, security headers and the per-request context.
 * `main.ts` and the test helper both call it, so tests run the real pipeline.
 */
export async function configureApp(app: NestFastifyApplication): Promise<void> {
  const config = app.get(AppConfigService);
  const sessions = app.get(SessionsService);
  const fastify = app.getHttpAdapter().getInstance();

  // Pages travel over slow phone links: gzip/brotli everything text above 1 KB (brotli at a cheap level).
  await app.register(fastifyCompress, {
    threshold: 1024,
    encodings: ['br', 'gzip'],
    brotliOptions: { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 4 } },
  });
  await app.register(fastifyCookie, { secret: new RememberingSigner(config.sessionSecret) });
  // Security headers from helmet, worked out once (see headersOf): @fastify/helmet built a new middleware from the
  // options on every request (parsing the CSP directives each time; ~4% of a lesson page's CPU in the profile).
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
    referrerPolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
    hsts: config.isProduction,
  });
  const securityHeaderValues = headersOf(securityHeaders);
  fastify.addHook('onRequest', (_req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    void reply.headers(securityHeaderValues);
    done();
  });
  await app.register(fastifyCsrf, {
    cookieOpts: { path: '/', sameSite: 'lax', httpOnly: true, signed: true },
    getToken: csrfTokenFrom,
  });
  // Uploads sent as a raw body (CSV, GIFT, markdown) arrive as bytes; readUpload() checks size and content.
  fastify.addContentTypeParser(
    ['text/csv', 'text/plain', 'text/markdown', 'application/octet-stream'],
    { parseAs: 'buffer', bodyLimit: 5 * 1024 * 1024 },
    (_req, body, done) => done(null, body),
  );
  await app.register(fastifyMultipart, { limits: UPLOAD_LIMITS, throwFileSizeLimit: true });
  await app.register(fastifyStatic, {
    root: join(ROOT_DIR, 'public'),
    prefix: '/static/',
    maxAge: '1h',
    decorateReply: false,
  });

  const hbs = Handlebars.create();
  registerHelpers(hbs);
  await app.register(fastifyView, {
    engine: { handlebars: hbs },
    root: VIEWS_DIR,
    layout: 'layouts/main.hbs',
    viewExt: 'hbs',
    options: { partials: partials() },
    production: config.isProduction || config.nodeEnv === 'test',
  });

  // Requests in flight, for background work that yields to them ('close' fires on a finished or aborted reply).
  const load = app.get(ForegroundLoad);
  fastify.addHook('onRequest', (_req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    reply.raw.once('close', load.begin());
    done();
  });

  // Who is asking, and in which language: before routing, so guards, pipes and the error filter all know.
  fastify.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const query = req.query as Record<string, unknown> | undefined;
    req.lang = pickLanguage(query?.lang, req.cookies.lang, req.headers['accept-language']);
    if (typeof query?.lang === 'string' && query.lang === req.lang) {
      void reply.setCookie('lang', req.lang, {
        path: '/',
        sameSite: 'lax',
        httpOnly: true,
        maxAge: 365 * 24 * 3600,
      });
    }
    // `?lang=` belongs to every page, not to any route's query DTO (which refuses unknown fields).
    if (query && 'lang' in query) {
      delete query.lang;
    }
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) {
      req.actor = (await sessions.resolve(auth.slice(7).trim(), 'token')) ?? undefined;
      return;
    }
    const cookie = req.cookies[SESSION_COOKIE];
    if (cookie) {
      const unsigned = req.unsignCookie(cookie);
      if (unsigned.valid && unsigned.value) {
        req.actor = (await sessions.resolve(unsigned.value, 'cookie')) ?? undefined;
      }
    }
  });

  // CSRF on every unsafe request that a browser could send with ambient credentials (cookies or a form);
  // bearer-token API calls carry no ambient credential and need none.
  fastify.addHook(
    'preHandler',
    (req: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
      const bearer = req.headers.authorization?.startsWith('Bearer ');
      const needsCsrf =
        UNSAFE.has(req.method) &&
        !bearer &&
        (!isApiRequest(req) || req.cookies[SESSION_COOKIE] !== undefined);
      if (!needsCsrf) {
        return done();
      }
      fastify.csrfProtection(req, reply, (err?: Error) => {
        const body = req.body as Record<string, unknown> | undefined;
        if (!err && body && typeof body === 'object' && '_csrf' in body) {
          delete body._csrf;
        }
        done(err);
      });
    },
  );

  // Page context for every template: language, the person and their navigation, a CSRF token for forms.
  fastify.addHook('preHandler', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (!isApiRequest(req)) {
      reply.locals = {
        ...(reply.locals ?? {}),
        lang: req.lang,
        htmlLang: req.lang,
        isEnglish: req.lang === 'en',
        path: req.url.split('?')[0],
        actor: req.actor
          ? {
              displayName: req.actor.displayName,
              roles: [...new Set(req.actor.grants.map((g) => g.role))],
            }
          : null,
        nav: navFor(req.actor, req.url.split('?')[0] ?? '/'),
        csrfToken: reply.generateCsrf(),
      };
    }
    done();
  });

  // Responses about a person (profile, attempts, exports) must not be stored by shared caches.
  fastify.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.actor && !reply.hasHeader('cache-control')) {
      void reply.header('cache-control', 'no-store');
    }
  });

  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Cadre Academy API')
      .setDescription(
        'JSON API of Cadre Academy. Sign in at POST /api/v1/auth/login and send the token as a bearer token.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/openapi.json' });
}
