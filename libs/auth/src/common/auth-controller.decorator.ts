import { applyDecorators, Controller, UseFilters, UsePipes } from '@nestjs/common';
import { ErrorFilter } from './error.filter';
import { createValidationPipe } from './validation';

/**
 * A controller of the library. It brings its own validation pipe and error filter, so the
 * contract's validation and error bodies hold in any host, whatever the host set up globally.
 */
export function AuthController(path: string): ClassDecorator {
  return applyDecorators(
    Controller(path),
    UsePipes(createValidationPipe()),
    UseFilters(ErrorFilter),
  );
}
