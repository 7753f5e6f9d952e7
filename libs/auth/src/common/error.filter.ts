import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { renderError } from './error-body';

/**
 * Renders every error in the contract's `{ error: { code, message, ... } }` shape. Unexpected
 * errors are logged by class name and driver code only: their messages may quote SQL or the
 * parameters of a query, which can hold token hashes or secrets.
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorFilter');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const adapter = this.adapterHost.httpAdapter;
    const rendered = renderError(exception);
    if (rendered.unexpected) {
      const request = http.getRequest<unknown>();
      const method = String(adapter.getRequestMethod(request));
      const path = pathOf(String(adapter.getRequestUrl(request)));
      this.logger.error(`unexpected ${describe(exception)} on ${method} ${path}`);
    }
    const response: unknown = http.getResponse();
    for (const [name, value] of Object.entries(rendered.headers ?? {}))
      adapter.setHeader(response, name, value);
    adapter.reply(response, rendered.body, rendered.status);
  }
}

function describe(exception: unknown): string {
  if (exception instanceof Error) {
    const code = (exception as { code?: unknown }).code;
    return typeof code === 'string' ? `${exception.name} (${code})` : exception.name;
  }
  return typeof exception;
}

/** The path without its query string: query strings may carry tokens. */
function pathOf(url: string): string {
  const index = url.indexOf('?');
  return index === -1 ? url : url.slice(0, index);
}
