import { ERROR_STATUS } from '../../../libs/auth/src/common/error-codes';
import { type Operation, operationFor } from './openapi-operations';
import type { FuzzRequest } from './hostile-requests';
import type { Outcome } from './raw-client';

const OAUTH_ERRORS = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unsupported_grant_type',
  'rate_limited',
  'server_error',
  'temporarily_unavailable',
];

type ShapeCheck = (body: unknown, status: number) => string | undefined;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The error bodies the document names, by schema: the core API's, and the OAuth and seed
 * profile endpoints' own (the contract gives each its seed's shape).
 */
const SHAPES: Record<string, ShapeCheck> = {
  ErrorBodyDto: (body) => {
    if (!isObject(body) || !isObject(body.error)) return 'not {"error": {…}}';
    const { code, message } = body.error;
    if (typeof code !== 'string' || !(code in ERROR_STATUS))
      return `unknown error.code ${JSON.stringify(code)}`;
    if (typeof message !== 'string') return 'error.message is not a string';
    return undefined;
  },
  OAuthErrorDto: (body) =>
    isObject(body) &&
    typeof body.error === 'string' &&
    OAUTH_ERRORS.includes(body.error) &&
    (body.error_description === undefined || typeof body.error_description === 'string')
      ? undefined
      : 'not an RFC 6749 error body',
  LoginRefreshTokenErrorDto: (body, status) =>
    isObject(body) && body.code === String(status) && typeof body.response === 'string'
      ? undefined
      : 'not a seed 003 error body',
  WalletRefreshStatusDto: (body, status) =>
    isObject(body) && body.status === status && typeof body.message === 'string'
      ? undefined
      : 'not a seed 004 status body',
};

export interface Verdict {
  /** What is wrong, if anything. */
  problem?: string;
}

/**
 * What is wrong with the answer to a hostile request, if anything:
 * - no answer at all, or a malformed one;
 * - any 5xx but a 503 with Retry-After (the database did not answer in time);
 * - a missing `X-Content-Type-Options: nosniff`, which every answer carries;
 * - a non-2xx answer whose body is not JSON in the contract's error shape (a code the server
 *   knows, a message), or, on an operation the document gives another shape (the OAuth and
 *   seed profile endpoints), not in that shape;
 * - where no operation was reached (unknown paths and methods, the HTTP layer's refusals),
 *   an error code whose status is not the answer's.
 */
export function answerVerdict(
  request: FuzzRequest,
  outcome: Outcome,
  operations: readonly Operation[],
): Verdict {
  if ('failure' in outcome) return { problem: outcome.failure };
  const { status, headers, body } = outcome.answer;
  // A 503 is the contract's answer when the database did not answer in time (a loaded machine
  // can make it so): allowed with Retry-After in its route's shape, or from the readiness
  // check (not ready), and counted by the caller. Any other 5xx is a failure.
  const readiness = /^\/health(\/ready)?(\?|$)/.test(request.path);
  if (status >= 500 && !(status === 503 && (headers['retry-after'] !== undefined || readiness)))
    return { problem: `status ${status}: ${body.toString('utf8').slice(0, 160)}` };
  if (headers['x-content-type-options'] !== 'nosniff')
    return { problem: `status ${status} without nosniff` };
  if (status < 300 || request.head) return {};
  if (!/^application\/json\b/.test(headers['content-type'] ?? ''))
    return { problem: `status ${status} with Content-Type ${headers['content-type']}` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return {
      problem: `status ${status} with a body that is not JSON: ${body.toString('utf8').slice(0, 120)}`,
    };
  }
  const operation = operationFor(operations, request.method, request.path);
  const documented = [...new Set(Object.values(operation?.errorSchemas ?? {}))];
  const problems = ['ErrorBodyDto', ...documented.filter((name) => name !== 'ErrorBodyDto')].map(
    (name) => (SHAPES[name] ? SHAPES[name](parsed, status) : `no check for ${name}`),
  );
  const excerpt = body.toString('utf8').slice(0, 160);
  if (problems[0] === undefined) {
    const code = (parsed as { error: { code: keyof typeof ERROR_STATUS } }).error.code;
    if (operation === undefined && ERROR_STATUS[code] !== status)
      return {
        problem: `status ${status} with error.code ${code} (${ERROR_STATUS[code]}): ${excerpt}`,
      };
    // A request that reached an OAuth or seed route is answered in the route's own shape, the
    // body parsers' refusals included. The HTTP layer's refusals (invalid HTTP, oversized
    // headers) come before any route, in the core shape, and close the connection; so does
    // the refusal of a URL over 8 KiB (414), which comes before routing.
    const own = documented.filter((name) => name !== 'ErrorBodyDto');
    const refusedByHttpLayer = headers.connection === 'close' || status === 414;
    if (own.length > 0 && request.kind.startsWith('operation') && !refusedByHttpLayer)
      return { problem: `status ${status} in the core shape, not ${own.join(' or ')}: ${excerpt}` };
    return {};
  }
  if (problems.some((problem) => problem === undefined)) return {};
  return { problem: `status ${status}: ${problems.join('; ')}: ${excerpt}` };
}
