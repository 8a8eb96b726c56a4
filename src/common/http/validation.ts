import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { AppException, COMMON_ERRORS } from '../errors/app.exception';
import { rememberValidationMetadata } from './validation-metadata-cache';

const KNOWN_REASONS = new Set([
  'isString',
  'isInt',
  'isNumber',
  'isBoolean',
  'isArray',
  'isObject',
  'isIn',
  'isEnum',
  'min',
  'max',
  'minLength',
  'maxLength',
  'arrayMaxSize',
  'arrayMinSize',
  'matches',
  'isDateString',
  'isISO8601',
  'isUUID',
  'isNotEmpty',
]);

function firstLeaf(
  errors: ValidationError[],
  prefix = '',
): { field: string; constraint: string; message: string; absent: boolean } | null {
  for (const error of errors) {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const entries = Object.entries(error.constraints ?? {});
    const preferred =
      entries.find(([k]) => k === 'whitelistValidation') ??
      entries.find(([k]) => k === 'isDefined') ??
      entries[0];
    if (preferred) {
      // No value at all: whichever constraint comes first (`maxLength`...), the field is simply missing.
      return {
        field,
        constraint: preferred[0],
        message: preferred[1],
        absent: error.value === undefined,
      };
    }
    const nested = firstLeaf(error.children ?? [], field);
    if (nested) {
      return nested;
    }
  }
  return null;
}

/** Turns class-validator's errors into one exception naming the first bad field and why, in words a person reads. */
export function validationException(errors: ValidationError[]): AppException {
  const leaf = firstLeaf(errors);
  if (!leaf) {
    return new AppException('VALIDATION_FAILED', COMMON_ERRORS.VALIDATION_FAILED, {
      field: '?',
      reason: '',
    });
  }
  if (leaf.constraint === 'whitelistValidation') {
    return new AppException(
      'UNKNOWN_FIELD',
      COMMON_ERRORS.UNKNOWN_FIELD,
      { field: leaf.field },
      leaf.field,
    );
  }
  const isMissing =
    leaf.absent ||
    leaf.constraint === 'isDefined' ||
    /should not be (null or undefined|empty)/.test(leaf.message);
  const reasonKey = isMissing
    ? 'required'
    : KNOWN_REASONS.has(leaf.constraint)
      ? leaf.constraint
      : 'other';
  const n = /(-?\d+(\.\d+)?)/.exec(leaf.message)?.[1] ?? '';
  const values = /following values: (.*)$/.exec(leaf.message)?.[1] ?? '';
  return new AppException(
    'VALIDATION_FAILED',
    COMMON_ERRORS.VALIDATION_FAILED,
    { field: leaf.field, reasonKey: `validation.${reasonKey}`, n, values },
    leaf.field,
  );
}

/** Deeper JSON than any DTO needs; the framework's recursive walks would overflow the stack on 100 000 levels. */
const MAX_DEPTH = 32;
// eslint-disable-next-line no-control-regex -- NUL is exactly what is refused
const NOT_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Finds, without recursion, the first `null` field (no DTO accepts null: `@IsOptional` would let it through to a
 * NOT NULL column) and whether the value nests deeper than MAX_DEPTH.
 */
function inspect(value: unknown): { nullField?: string; badText?: string; tooDeep?: boolean } {
  const stack: Array<{ v: unknown; path: string; depth: number }> = [
    { v: value, path: '', depth: 0 },
  ];
  while (stack.length > 0) {
    const { v, path, depth } = stack.pop() as { v: unknown; path: string; depth: number };
    if (depth > MAX_DEPTH) {
      return { tooDeep: true };
    }
    if (v === null && path) {
      return { nullField: path };
    }
    // NUL and lone surrogates are not text: PostgreSQL refuses them with an error (a 500), SQLite would store junk.
    if (typeof v === 'string' && NOT_TEXT.test(v)) {
      return { badText: path || '?' };
    }
    if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
        stack.push({ v: child, path: path ? `${path}.${k}` : k, depth: depth + 1 });
      }
    }
  }
  return {};
}

class AppValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query') {
      const found = inspect(value);
      if (found.tooDeep) {
        throw new AppException('BAD_JSON', 400, {});
      }
      if (found.badText) {
        throw new AppException(
          'VALIDATION_FAILED',
          COMMON_ERRORS.VALIDATION_FAILED,
          { field: found.badText, reasonKey: 'validation.other', n: '', values: '' },
          found.badText,
        );
      }
      if (found.nullField) {
        throw new AppException(
          'VALIDATION_FAILED',
          COMMON_ERRORS.VALIDATION_FAILED,
          { field: found.nullField, reasonKey: 'validation.required', n: '', values: '' },
          found.nullField,
        );
      }
    }
    return super.transform(value, metadata);
  }
}

/** Whitelist, refuse unknown fields, and never coerce types silently ("false" must not become true). */
export function createValidationPipe(): ValidationPipe {
  rememberValidationMetadata();
  return new AppValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    // The value is kept on the error (never in the answer) to tell a missing field from a wrong one.
    validationError: { target: false, value: true },
    exceptionFactory: validationException,
  });
}
