import { HttpException } from '@nestjs/common';
import { DEFAULT_ERROR_MESSAGES, ERROR_STATUS, type ErrorCode } from './error-codes';

export interface ErrorDetail {
  code: string;
  message: string;
  target?: string;
}

/**
 * The one exception type of the product. Services throw it with a code; the exception
 * filter (and each seed profile) decides how the code looks on the wire.
 *
 * It is an HttpException whose response is the contract's error body, so that a host app's
 * own exception handling (say, on a host route behind the library's guard) still answers
 * with the right status and body.
 */
export class DomainError extends HttpException {
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly target?: string,
    readonly details?: ErrorDetail[],
    /**
     * For `rate_limited` and `service_unavailable`: seconds until a retry may succeed, sent as
     * `Retry-After`.
     */
    readonly retryAfterSeconds?: number,
  ) {
    const text = message ?? DEFAULT_ERROR_MESSAGES[code];
    super(
      {
        error: {
          code,
          message: text,
          ...(target !== undefined && { target }),
          ...(details !== undefined && { details }),
        },
      },
      ERROR_STATUS[code],
    );
    this.name = 'DomainError';
    this.message = text;
  }

  /**
   * A line for the filter that renders this error to log at `warn`, with the request's id: how
   * a security event met while serving a request (a replayed refresh token) is told in the
   * request's context. Fields must hold no secret.
   */
  logLine?: { message: string; fields: Record<string, string> };

  withLogLine(message: string, fields: Record<string, string> = {}): this {
    this.logLine = { message, fields };
    return this;
  }
}
