import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorBodyDto } from './error-body.dto';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request (`validation_failed`): `details` lists each offending field.',
  401: 'Not authenticated.',
  403: 'Not allowed (`forbidden`).',
  404: 'Not found (`not_found`).',
  409: 'Conflicts with an existing resource (`conflict`).',
  413: 'Body larger than 64 KiB (`payload_too_large`).',
  415: 'Body is not application/json (`unsupported_media_type`).',
  429: 'Rate limited (`rate_limited`); see `Retry-After`.',
};

/** Documents error responses in the contract's error shape, with optional per-status text. */
export function ApiErrors(
  ...statuses: Array<number | [number, string]>
): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((entry) => {
      const [status, description] = Array.isArray(entry) ? entry : [entry, DESCRIPTIONS[entry]];
      return ApiResponse({ status, description, type: ErrorBodyDto });
    }),
  );
}

/** The errors any JSON-body route can answer before its handler runs. */
export const JSON_BODY_ERRORS = [400, 413, 415] as const;
