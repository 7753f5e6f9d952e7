import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { DomainError, type ErrorDetail } from './domain-error';

function flatten(errors: ValidationError[], parent = ''): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  for (const error of errors) {
    const target = parent ? `${parent}.${error.property}` : error.property;
    for (const [code, message] of Object.entries(error.constraints ?? {})) {
      details.push({ code, message, target });
    }
    if (error.children?.length) {
      details.push(...flatten(error.children, target));
    }
  }
  return details;
}

/**
 * The validation pipe every route uses: unknown fields are rejected rather than silently
 * dropped, and each offending field becomes one entry of `details`. The rejected value is
 * never echoed back (it could be a secret).
 */
export function createValidationPipe({ rejectUnknownFields = true } = {}): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    // OAuth requests must ignore parameters they do not know (RFC 6749 §3.1); ours reject them.
    forbidNonWhitelisted: rejectUnknownFields,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const details = flatten(errors);
      return new DomainError('validation_failed', undefined, details[0]?.target, details);
    },
  });
}

/**
 * Names of API users and clients: letters and digits of any script, then also spaces and
 * `. _ - @`. Quotes, semicolons, control characters (NUL) and lone surrogates are refused:
 * they have no business in an identifier shown in logs and consoles.
 */
export const NAME_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N} ._@-]*$/u;
export const NAME_RULE =
  'must start with a letter or digit and contain only letters, digits, spaces and . _ - @';
