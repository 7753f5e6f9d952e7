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
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const details = flatten(errors);
      return new DomainError('validation_failed', undefined, details[0]?.target, details);
    },
  });
}

/**
 * Printable text: no control characters (NUL included) and no lone UTF-16 surrogates, which
 * PostgreSQL rejects or silently mangles.
 */
export const PRINTABLE_TEXT = /^[^\p{Cc}\p{Cs}]*$/u;
