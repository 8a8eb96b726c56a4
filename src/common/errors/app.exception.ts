/**
 * Base of every module's exception. A module declares its codes with their HTTP status once
 * (e.g. `ORG_ERRORS`), throws `new OrgsException('ORG_NOT_FOUND')`, and the global filter turns the code into
 * the JSON shape of API.md or an error page, with the message `errors.<CODE>` in the request's language.
 */
export class AppException extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly params: Record<string, string | number> = {},
    readonly field?: string,
  ) {
    super(code);
  }
}

/** Creates a module's exception class from its table of codes, so a code without a status cannot be thrown. */
export function exceptionFor<T extends Record<string, number>>(codes: T) {
  return class extends AppException {
    constructor(
      code: keyof T & string,
      params: Record<string, string | number> = {},
      field?: string,
    ) {
      super(code, codes[code], params, field);
    }
  };
}

/** Codes every module may use. */
export const COMMON_ERRORS = {
  VALIDATION_FAILED: 400,
  UNKNOWN_FIELD: 400,
  NOT_SIGNED_IN: 401,
  FORBIDDEN: 403,
  CSRF_INVALID: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  STORAGE_UNAVAILABLE: 503,
} as const;
export const CommonException = exceptionFor(COMMON_ERRORS);
