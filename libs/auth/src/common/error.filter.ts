import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { logAnsweredError } from './answered-error-log';
import { renderError } from './error-body';

/**
 * Renders every error in the contract's `{ error: { code, message, ... } }` shape, and logs
 * what needs telling (see logAnsweredError).
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorFilter');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const adapter = this.adapterHost.httpAdapter;
    const rendered = renderError(exception);
    logAnsweredError(
      this.logger,
      { exception, unexpected: rendered.unexpected },
      http.getRequest<unknown>(),
      adapter,
    );
    const response: unknown = http.getResponse();
    for (const [name, value] of Object.entries(rendered.headers ?? {}))
      adapter.setHeader(response, name, value);
    adapter.reply(response, rendered.body, rendered.status);
  }
}
