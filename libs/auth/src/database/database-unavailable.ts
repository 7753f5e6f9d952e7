/**
 * Which failures mean "the database can't serve right now" (answered 503 with Retry-After, so
 * that clients and load balancers retry) as opposed to a bug (500). Only the error's class of
 * failure is looked at, never its message text beyond the driver's fixed phrases.
 */

/** A database call that did not answer within `DATABASE_TIMEOUT_MS`. */
export class DatabaseTimeoutError extends Error {
  override readonly name = 'DatabaseTimeoutError';

  constructor(readonly timeoutMs: number) {
    super(`the database did not answer within ${timeoutMs} ms`);
  }
}

/** Seconds a client is asked to wait before retrying (Retry-After): a restart takes about one. */
export const DATABASE_RETRY_AFTER_SECONDS = 1;

/**
 * PostgreSQL SQLSTATEs of an unavailable server: connection exceptions (class 08), a server
 * shutting down or starting (57P01-57P03), a cancelled statement (57014, statement_timeout),
 * a lock not granted in time (55P03), insufficient resources such as a full disk or too many
 * connections (class 53), and I/O errors (58030).
 */
function isUnavailablePostgresCode(code: string): boolean {
  return (
    code.startsWith('08') ||
    code.startsWith('53') ||
    ['57P01', '57P02', '57P03', '57014', '55P03', '58030'].includes(code)
  );
}

/** SQLite result codes (and their extended forms) of a database that can't write now. */
const SQLITE_UNAVAILABLE = /^SQLITE_(FULL|BUSY|LOCKED|IOERR|CANTOPEN|READONLY|NOMEM|PROTOCOL)/;

/** Socket errors reaching the server. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * node-postgres' own errors carry no code, only these fixed messages: a connection that ended,
 * a pool that could not connect in time, a client-side query timeout.
 */
const NODE_POSTGRES_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
];

function isUnavailableError(error: object): boolean {
  if (error instanceof DatabaseTimeoutError) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || SQLITE_UNAVAILABLE.test(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code) && isUnavailablePostgresCode(code)) return true;
  }
  const message = (error as { message?: unknown }).message;
  return (
    typeof message === 'string' &&
    NODE_POSTGRES_MESSAGES.some((phrase) => message.startsWith(phrase))
  );
}

/**
 * Whether `error` (or what it wraps: TypeORM's `driverError`, an `Error.cause`, a few levels
 * deep) says the database is unavailable.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth += 1) {
    if (isUnavailableError(current)) return true;
    const wrapper = current as { driverError?: unknown; cause?: unknown };
    current = wrapper.driverError ?? wrapper.cause;
  }
  return false;
}
