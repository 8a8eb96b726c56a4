import { exceptionFor } from '../common/errors/app.exception';

export const REPORT_ERRORS = {
  REPORT_NO_SCOPE: 403,
  REPORT_YEAR_INVALID: 400,
  REPORT_COURSE_NOT_FOUND: 404,
} as const;
export const ReportsException = exceptionFor(REPORT_ERRORS);
