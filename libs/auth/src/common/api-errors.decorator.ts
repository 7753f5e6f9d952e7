import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorBodyDto } from './error-body.dto';
import { DEFAULT_ERROR_MESSAGES, type ErrorCode } from './error-codes';

/** The usual code, and description, of each documented error status. */
const BY_STATUS: Record<number, [ErrorCode, string]> = {
  400: [
    'validation_failed',
    'Invalid request (`validation_failed`): `details` lists each offending field.',
  ],
  401: ['unauthorized', 'Missing, invalid or expired bearer token (`unauthorized`).'],
  403: ['forbidden', 'Not allowed (`forbidden`).'],
  404: ['not_found', 'Not found (`not_found`).'],
  409: ['conflict', 'Conflicts with an existing resource (`conflict`).'],
  413: ['payload_too_large', 'Body larger than 64 KiB (`payload_too_large`).'],
  415: ['unsupported_media_type', 'Body is not application/json (`unsupported_media_type`).'],
  429: ['rate_limited', 'Rate limited (`rate_limited`); see `Retry-After`.'],
  503: [
    'service_unavailable',
    'The database is unavailable (`service_unavailable`); retry after `Retry-After` seconds.',
  ],
};

/** An example error body for a status (or a given code). */
export function errorExample(
  status: number,
  code: ErrorCode = BY_STATUS[status]?.[0] ?? 'internal_error',
) {
  return { error: { code, message: DEFAULT_ERROR_MESSAGES[code] } };
}

/**
 * Documents error responses in the contract's error shape, each with an example of its own
 * code; an entry may replace the description: `[401, 'why']`.
 */
export function ApiErrors(
  ...statuses: Array<number | [number, string]>
): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((entry) => {
      const [status, description] = Array.isArray(entry) ? entry : [entry, BY_STATUS[entry]?.[1]];
      return ApiResponse({
        status,
        description,
        type: ErrorBodyDto,
        example: errorExample(status),
      });
    }),
  );
}

/** The errors any JSON-body route can answer before its handler runs. */
export const JSON_BODY_ERRORS = [400, 413, 415] as const;
