import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { isInvalidText, isStorageFailure } from '../../database/db-errors';
import { DEFAULT_LANG, translate } from '../i18n/i18n';
import { isApiRequest } from '../http/request-context';
import { AppException } from './app.exception';

interface Mapped {
  status: number;
  code: string;
  params: Record<string, string | number>;
  field?: string;
  headers?: Record<string, string>;
}

/** Fastify's own errors (body parsing, limits, CSRF) mapped to our codes; none of them is the server's fault. */
function fromFrameworkError(error: { code?: string; statusCode?: number }): Mapped | null {
  const code = error.code ?? '';
  if (
    code === 'FST_ERR_CTP_BODY_TOO_LARGE' ||
    code === 'FST_REQ_FILE_TOO_LARGE' ||
    code === 'FST_FILES_LIMIT' ||
    code === 'FST_PARTS_LIMIT' ||
    code === 'FST_FIELDS_LIMIT'
  ) {
    return { status: 413, code: 'PAYLOAD_TOO_LARGE', params: {} };
  }
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') {
    return { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', params: {} };
  }
  if (code.startsWith('FST_CSRF')) {
    return { status: 403, code: 'CSRF_INVALID', params: {} };
  }
  if (
    code.startsWith('FST_ERR_CTP') ||
    code === 'FST_PROTO_VIOLATION' ||
    code === 'FST_CONSTRUCTOR_VIOLATION' ||
    error instanceof SyntaxError
  ) {
    return { status: 400, code: 'BAD_JSON', params: {} };
  }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return {
      status: error.statusCode,
      code: error.statusCode === 404 ? 'NOT_FOUND' : 'VALIDATION_FAILED',
      params: { field: '?', reason: '' },
    };
  }
  return null;
}

/**
 * One filter for every error: a page gets `views/errors/error.hbs`, the API gets
 * `{statusCode, error, message}` in the request's language. Unknown errors are logged with the request id and
 * become a plain 500 with no stack trace, SQL or path in the response.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const mapped = this.map(exception, request);
    const lang = request.lang ?? DEFAULT_LANG;
    const params: Record<string, unknown> = { ...mapped.params };
    if (typeof params.reasonKey === 'string') {
      params.reason = translate(lang, params.reasonKey, params);
    }
    const message = translate(lang, `errors.${mapped.code}`, params);
    if (reply.sent) {
      return;
    }
    for (const [name, value] of Object.entries(mapped.headers ?? {})) {
      void reply.header(name, value);
    }
    void reply.status(mapped.status).header('cache-control', 'no-store');
    if (isApiRequest(request) || !request.method || request.headers.accept === 'application/json') {
      void reply.send({
        statusCode: mapped.status,
        error: mapped.code,
        message,
        ...(mapped.field ? { field: mapped.field } : {}),
      });
      return;
    }
    if (mapped.status === 401) {
      void reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
      return;
    }
    void reply.view('errors/error', {
      lang,
      htmlLang: lang,
      isEnglish: lang === 'en',
      path: request.url.split('?')[0],
      title: translate(lang, `pages.error.title${mapped.status}`) || String(mapped.status),
      status: mapped.status,
      message,
      signInNeeded: mapped.status === 401,
      next: request.url,
    });
  }

  private map(exception: unknown, request: FastifyRequest): Mapped {
    if (exception instanceof AppException) {
      const headers =
        exception.status === 429
          ? { 'retry-after': String(exception.params.seconds ?? 60) }
          : undefined;
      return {
        status: exception.status,
        code: exception.code,
        params: exception.params,
        field: exception.field,
        headers,
      };
    }
    const framework =
      exception && typeof exception === 'object' ? fromFrameworkError(exception) : null;
    if (framework && (exception as { code?: string }).code) {
      return framework;
    }
    if (exception instanceof HttpException) {
      // Nest wraps Fastify's own errors (hooks, body parsing) into a bare HttpException; map them by what they say.
      const text = exception.message;
      if (/csrf/i.test(text)) {
        return { status: 403, code: 'CSRF_INVALID', params: {} };
      }
      if (
        exception.getStatus() === 400 &&
        !(exception.getResponse() as { message?: unknown })?.message
          ?.toString()
          .includes('Validation')
      ) {
        return { status: 400, code: /json/i.test(text) ? 'BAD_JSON' : 'BAD_REQUEST', params: {} };
      }
      const status = exception.getStatus();
      const code =
        status === 404
          ? 'NOT_FOUND'
          : status === 401
            ? 'NOT_SIGNED_IN'
            : status === 403
              ? 'FORBIDDEN'
              : status === 413
                ? 'PAYLOAD_TOO_LARGE'
                : status === 429
                  ? 'RATE_LIMITED'
                  : status < 500
                    ? 'VALIDATION_FAILED'
                    : 'INTERNAL';
      if (code !== 'INTERNAL') {
        return { status, code, params: { field: '?', reason: '', seconds: 60 } };
      }
    }
    if (framework) {
      return framework;
    }
    if (isInvalidText(exception)) {
      // A NUL byte in a path id reaches PostgreSQL before any DTO sees it (SQLite simply finds nothing).
      return { status: 400, code: 'BAD_REQUEST', params: {} };
    }
    if (isStorageFailure(exception)) {
      this.logger.error(`[${request.id}] storage failure: ${String(exception)}`);
      return { status: 503, code: 'STORAGE_UNAVAILABLE', params: {} };
    }
    this.logger.error(
      `[${request.id}] ${request.method} ${request.url}`,
      exception instanceof Error ? exception.stack : String(exception),
    );
    return { status: 500, code: 'INTERNAL', params: { requestId: String(request.id) } };
  }
}
