import { applyDecorators, Controller, UseFilters, UsePipes } from '@nestjs/common';
import { ApiErrors } from './api-errors.decorator';
import { ErrorFilter } from './error.filter';
import { createValidationPipe } from './validation';

/**
 * A controller of the library. It brings its own validation pipe and error filter, so the
 * contract's validation and error bodies hold in any host, whatever the host set up globally.
 * Each of its routes may answer 503 while the database is unavailable.
 */
export function AuthController(path: string): ClassDecorator {
  return applyDecorators(
    Controller(path),
    ApiErrors(503),
    UsePipes(createValidationPipe()),
    UseFilters(ErrorFilter),
  );
}
