import { exceptionFor } from '../common/errors/app.exception';

export const CERTIFICATION_ERRORS = {
  CERTIFICATE_NOT_FOUND: 404,
  VERIFY_CODE_NOT_FOUND: 404,
  CERTIFICATE_NOT_VALID: 409,
  TASK_NOT_FOUND: 404,
  TASK_ALREADY_SIGNED_OFF: 409,
  TASK_SELF_SIGN_OFF: 403,
  EXPORT_RANGE_INVALID: 400,
  EXPORT_TOO_LARGE: 413,
  VERIFY_RATE_LIMITED: 429,
} as const;
export const CertificationException = exceptionFor(CERTIFICATION_ERRORS);
