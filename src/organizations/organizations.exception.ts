import { exceptionFor } from '../common/errors/app.exception';

export const ORG_ERRORS = {
  ORG_NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  ORG_OUT_OF_SCOPE: 403,
  ROLE_NOT_GRANTABLE: 403,
  ORG_KIND_NOT_ALLOWED: 400,
  USERNAME_TAKEN: 409,
  POST_GRADE_OUT_OF_BAND: 400,
  PASSWORD_REJECTED: 400,
  CSV_INVALID: 400,
  CSV_TOO_MANY_ROWS: 413,
  CANNOT_DISABLE_SELF: 409,
} as const;
export const OrganizationsException = exceptionFor(ORG_ERRORS);
