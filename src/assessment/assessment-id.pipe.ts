import { Injectable, PipeTransform } from '@nestjs/common';
import { AssessmentException } from './assessment.exception';

/** Ids in paths are opaque strings of at most 36 characters; anything else cannot exist. */
@Injectable()
export class AssessmentIdPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    if (typeof value !== 'string' || value === '' || value.length > 36) {
      throw new AssessmentException('QUESTION_NOT_FOUND');
    }
    return value;
  }
}
