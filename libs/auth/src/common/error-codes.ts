/**
 * Every error code the core API can answer, with its HTTP status. Profiles map the same
 * codes to their own bodies, so this table is the single source of status codes.
 */
export const ERROR_STATUS = {
  validation_failed: 400,
  invalid_scope: 400,
  invalid_target: 400,
  invalid_credentials: 401,
  unauthorized: 401,
  invalid_registration_token: 401,
  registration_token_expired: 401,
  invalid_refresh_token: 401,
  refresh_token_expired: 401,
  refresh_token_reused: 401,
  session_revoked: 401,
  session_expired: 401,
  forbidden: 403,
  insufficient_scope: 403,
  not_found: 404,
  // The HTTP layer's refusals (src/http in the standalone server): answered before any route.
  request_timeout: 408,
  conflict: 409,
  payload_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  rate_limited: 429,
  request_header_fields_too_large: 431,
  internal_error: 500,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const DEFAULT_ERROR_MESSAGES: Record<ErrorCode, string> = {
  validation_failed: 'The request is not valid.',
  invalid_scope: 'The requested scope is unknown or beyond what the API key may grant.',
  invalid_target: 'The requested resource is not one this server issues tokens for.',
  invalid_credentials: 'The API key credentials are not valid.',
  unauthorized: 'A valid bearer access token is required.',
  invalid_registration_token: 'The registration token is not valid.',
  registration_token_expired: 'The registration token has expired; ask an admin for a new one.',
  invalid_refresh_token: 'The refresh token is not valid.',
  refresh_token_expired: 'The refresh token has expired.',
  refresh_token_reused: 'The refresh token was already used; the session has been revoked.',
  session_revoked: 'The session has been revoked.',
  session_expired: 'The session has reached its maximum lifetime.',
  forbidden: 'You are not allowed to perform this operation.',
  insufficient_scope: 'The access token lacks a scope this operation requires.',
  not_found: 'The resource was not found.',
  request_timeout: 'The request was not received in time.',
  conflict: 'The resource conflicts with an existing one.',
  payload_too_large: 'The request body is larger than 64 KiB.',
  uri_too_long: 'The request URL is longer than 8 KiB.',
  unsupported_media_type: 'The request body must be application/json.',
  rate_limited: 'Too many requests; retry later.',
  request_header_fields_too_large: 'The request headers are too large.',
  internal_error: 'An internal error occurred.',
  service_unavailable: 'The service is unavailable.',
};
