import { exceptionFor } from '../common/errors/app.exception';

export const LEARNING_ERRORS = {
  LESSON_NOT_FOUND: 404,
  LESSON_NOT_ENROLLED: 403,
  COURSE_NOT_OPEN: 409,
  ENROL_OUT_OF_SCOPE: 403,
  DUE_DATE_INVALID: 400,
} as const;
export const LearningException = exceptionFor(LEARNING_ERRORS);
