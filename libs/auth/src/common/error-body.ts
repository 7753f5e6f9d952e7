import { HttpException } from '@nestjs/common';
import {
  DATABASE_RETRY_AFTER_SECONDS,
  isDatabaseUnavailable,
} from '../database/database-unavailable';
import { DomainError, type ErrorDetail } from './domain-error';
import { DEFAULT_ERROR_MESSAGES, type ErrorCode } from './error-codes';

export interface ErrorBody {
  error: { code: string; message: string; target?: string; details?: ErrorDetail[] };
}

export interface RenderedError {
  status: number;
  body: ErrorBody;
  /** True when the error was not foreseen: the caller should log it (without the request). */
  unexpected: boolean;
  /** Headers the response must carry (`Retry-After`). */
  headers?: Record<string, string>;
}

/** Framework errors we translate by status: body parsers, routers and guards raise these. */
const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'validation_failed',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'not_found',
  408: 'request_timeout',
  409: 'conflict',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  431: 'request_header_fields_too_large',
  503: 'service_unavailable',
};

function statusOf(exception: unknown): number | undefined {
  if (exception instanceof HttpException) {
    return exception.getStatus();
  }
  if (typeof exception === 'object' && exception !== null) {
    // Fastify's content-type parser errors carry `statusCode`; body-parser's carry `status`.
    const candidate = exception as { statusCode?: unknown; status?: unknown };
    const status = candidate.statusCode ?? candidate.status;
    if (typeof status === 'number' && status >= 400 && status < 600) {
      return status;
    }
  }
  return undefined;
}

/**
 * Maps anything thrown to the contract's error body. Only DomainError messages reach the
 * client verbatim; every other message is replaced by the code's fixed text, so a driver
 * error can never leak SQL, a stack trace or a secret. A database that is down, full or not
 * answering in time is 503 `service_unavailable` with Retry-After: the request can be retried.
 */
export function renderError(exception: unknown): RenderedError {
  if (exception instanceof DomainError) {
    const error: ErrorBody['error'] = { code: exception.code, message: exception.message };
    if (exception.target !== undefined) error.target = exception.target;
    if (exception.details !== undefined) error.details = exception.details;
    const headers =
      exception.retryAfterSeconds === undefined
        ? undefined
        : { 'Retry-After': String(exception.retryAfterSeconds) };
    return {
      status: exception.getStatus(),
      body: { error },
      unexpected: false,
      ...(headers && { headers }),
    };
  }
  if (isDatabaseUnavailable(exception)) {
    return renderError(
      new DomainError(
        'service_unavailable',
        undefined,
        undefined,
        undefined,
        DATABASE_RETRY_AFTER_SECONDS,
      ),
    );
  }
  const status = statusOf(exception);
  const code = status === undefined ? undefined : CODE_BY_STATUS[status];
  if (status !== undefined && code !== undefined) {
    return {
      status,
      body: { error: { code, message: DEFAULT_ERROR_MESSAGES[code] } },
      unexpected: false,
    };
  }
  return {
    status: 500,
    body: { error: { code: 'internal_error', message: DEFAULT_ERROR_MESSAGES.internal_error } },
    unexpected: true,
  };
}
