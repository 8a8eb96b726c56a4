import { exceptionFor } from '../common/errors/app.exception';

export const AUTH_ERRORS = {
  INVALID_CREDENTIALS: 401,
  LOGIN_THROTTLED: 429,
  NOT_SIGNED_IN: 401,
  FORBIDDEN: 403,
} as const;
export const AuthException = exceptionFor(AUTH_ERRORS);
