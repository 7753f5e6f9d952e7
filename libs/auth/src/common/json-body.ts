import {
  applyDecorators,
  type CanActivate,
  type ExecutionContext,
  Injectable,
  UseGuards,
} from '@nestjs/common';
import { ApiConsumes } from '@nestjs/swagger';
import { ApiErrors, JSON_BODY_ERRORS } from './api-errors.decorator';
import { DomainError } from './domain-error';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth';

const JSON_MEDIA_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;

interface RequestHeaders {
  headers: Record<string, string | string[] | undefined>;
  /** Parsed by the adapter (Fastify's parser or Express's body-parser) before guards run. */
  body?: unknown;
}

/** True when the request carries a body (a non-zero length or a chunked transfer). */
function hasBody(request: RequestHeaders): boolean {
  const length = request.headers['content-length'];
  return (
    (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined
  );
}

/**
 * Refuses a body that is not JSON with 415. Adapters would otherwise parse `text/plain`
 * (Fastify) or silently ignore other types (Express), and the caller would get a
 * misleading validation error instead. A guard rather than an interceptor: it runs on token
 * endpoints, and guards cost nothing per request beyond the check itself.
 *
 * It also refuses JSON nested deeper than 32 levels (400): class-transformer copies bodies
 * recursively and overflows the stack on a few thousand levels (a 500). Guards run after
 * either adapter has parsed the body and before every pipe, a host's global pipes included.
 */
@Injectable()
export class RequireJsonBodyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<RequestHeaders>();
    const type = request.headers['content-type'];
    if (hasBody(request) && (typeof type !== 'string' || !JSON_MEDIA_TYPE.test(type))) {
      throw new DomainError('unsupported_media_type');
    }
    if (nestsDeeperThan(request.body)) {
      throw new DomainError(
        'validation_failed',
        `The JSON body is nested deeper than ${MAX_JSON_DEPTH} levels.`,
      );
    }
    return true;
  }
}

/** Enforces (and documents) a JSON request body; error responses are left to the caller. */
export function RequireJsonBody(): MethodDecorator {
  return applyDecorators(UseGuards(RequireJsonBodyGuard), ApiConsumes('application/json'));
}

/** A core route that takes a JSON body: enforces the media type and documents 400, 413 and 415. */
export function JsonBody(): MethodDecorator {
  return applyDecorators(RequireJsonBody(), ApiErrors(...JSON_BODY_ERRORS));
}
