import {
  applyDecorators,
  type ArgumentsHost,
  Controller,
  type ExceptionFilter,
  Injectable,
  Logger,
  type Type,
  UseFilters,
  UsePipes,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { logAnsweredError } from '../common/answered-error-log';
import { renderError, type RenderedError } from '../common/error-body';
import { createValidationPipe } from '../common/validation';

export interface ProfileResponse {
  status: number;
  body: unknown;
}

/**
 * Base of the seed profiles' exception filters. The core renderer decides code and status
 * (so a profile cannot disagree with the contract about what went wrong); the subclass only
 * decides how that looks on its wire.
 */
@Injectable()
export abstract class ProfileErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProfileErrorFilter');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  protected abstract toProfile(rendered: RenderedError): ProfileResponse;

  catch(exception: unknown, host: ArgumentsHost): void {
    const rendered = renderError(exception);
    const adapter = this.adapterHost.httpAdapter;
    logAnsweredError(
      this.logger,
      { exception, unexpected: rendered.unexpected },
      host.switchToHttp().getRequest<unknown>(),
      adapter,
    );
    const { status, body } = this.toProfile(rendered);
    const response: unknown = host.switchToHttp().getResponse();
    for (const [name, value] of Object.entries(rendered.headers ?? {}))
      adapter.setHeader(response, name, value);
    adapter.reply(response, body, status);
  }
}

/** A seed profile's controller: validates its own bodies and renders errors in its own shape. */
export function ProfileController(path: string, filter: Type<ProfileErrorFilter>): ClassDecorator {
  return applyDecorators(Controller(path), UsePipes(createValidationPipe()), UseFilters(filter));
}
