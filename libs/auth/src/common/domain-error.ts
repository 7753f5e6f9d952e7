import { DEFAULT_ERROR_MESSAGES, ERROR_STATUS, type ErrorCode } from './error-codes';

export interface ErrorDetail {
  code: string;
  message: string;
  target?: string;
}

/**
 * The one exception type of the product. Services throw it with a code; the exception
 * filter (and each seed profile) decides how the code looks on the wire.
 */
export class DomainError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly target?: string,
    readonly details?: ErrorDetail[],
    /** For `rate_limited`: seconds until a retry may succeed, sent as `Retry-After`. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message ?? DEFAULT_ERROR_MESSAGES[code]);
    this.name = 'DomainError';
    this.status = ERROR_STATUS[code];
  }
}
