import { exceptionFor } from '../common/errors/app.exception';

export const CURRICULUM_ERRORS = {
  COURSE_NOT_FOUND: 404,
  LESSON_NOT_FOUND: 404,
  COURSE_NOT_EDITABLE: 403,
  COURSE_SLUG_TAKEN: 409,
  COURSE_SLUG_IMMUTABLE: 409,
  COURSE_HAS_NO_LESSONS: 409,
  COURSE_ARCHIVED: 409,
  COURSE_ORG_REQUIRED: 400,
  LESSON_LIMIT: 400,
} as const;
export const CurriculumException = exceptionFor(CURRICULUM_ERRORS);
