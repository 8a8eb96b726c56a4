import { exceptionFor } from '../common/errors/app.exception';

export const AUDIT_ERRORS = { AUDIT_CURSOR_INVALID: 400 } as const;
export const AuditException = exceptionFor(AUDIT_ERRORS);
