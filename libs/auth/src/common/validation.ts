import {
  type ArgumentMetadata,
  type Type,
  ValidationPipe,
  type ValidationPipeOptions,
  type ValidationError,
} from '@nestjs/common';
import { DomainError, type ErrorDetail } from './domain-error';
import { compileValidBodyCheck, type ValidBodyCheck } from './valid-body-check';

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
 * ValidationPipe (with `transform`), answering a body that a compiled check finds valid
 * (see compileValidBodyCheck) without class-transformer and class-validator: the instance it
 * returns is the one plainToInstance would build. Everything else goes through the pipe.
 */
class ValidationPipeWithValidBodyShortcut extends ValidationPipe {
  private readonly checks = new Map<Type<unknown>, ValidBodyCheck | undefined>();

  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const target = metadata.metatype as Type<unknown> | undefined;
    if (metadata.type === 'body' && target !== undefined && this.checkOf(target)?.(value)) {
      return Promise.resolve(Object.assign(new target() as object, value as object));
    }
    return super.transform(value, metadata);
  }

  private checkOf(target: Type<unknown>): ValidBodyCheck | undefined {
    if (!this.checks.has(target)) this.checks.set(target, compileValidBodyCheck(target));
    return this.checks.get(target);
  }
}

/**
 * The validation pipe every route uses: unknown fields are rejected rather than silently
 * dropped, and each offending field becomes one entry of `details`. The rejected value is
 * never echoed back (it could be a secret).
 */
export function createValidationPipe({ rejectUnknownFields = true } = {}): ValidationPipe {
  return new ValidationPipeWithValidBodyShortcut(validationPipeOptions({ rejectUnknownFields }));
}

/** The options of createValidationPipe's pipe (its tests compare it with a plain ValidationPipe). */
export function validationPipeOptions({ rejectUnknownFields = true } = {}): ValidationPipeOptions {
  return {
    whitelist: true,
    // OAuth requests must ignore parameters they do not know (RFC 6749 §3.1); ours reject them.
    forbidNonWhitelisted: rejectUnknownFields,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const details = flatten(errors);
      return new DomainError('validation_failed', undefined, details[0]?.target, details);
    },
  };
}

/**
 * Names of API users and clients: letters and digits of any script, then also spaces and
 * `. _ - @`. Quotes, semicolons, control characters (NUL) and lone surrogates are refused:
 * they have no business in an identifier shown in logs and consoles.
 */
export const NAME_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N} ._@-]*$/u;
export const NAME_RULE =
  'must start with a letter or digit and contain only letters, digits, spaces and . _ - @';
