import {
  applyDecorators,
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  UseInterceptors,
} from '@nestjs/common';
import { ApiConsumes } from '@nestjs/swagger';
import type { Observable } from 'rxjs';
import { ApiErrors, JSON_BODY_ERRORS } from './api-errors.decorator';
import { DomainError } from './domain-error';

const JSON_MEDIA_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;

interface RequestHeaders {
  headers: Record<string, string | string[] | undefined>;
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
 * misleading validation error instead.
 */
@Injectable()
export class RequireJsonBodyInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<RequestHeaders>();
    const type = request.headers['content-type'];
    if (hasBody(request) && (typeof type !== 'string' || !JSON_MEDIA_TYPE.test(type))) {
      throw new DomainError('unsupported_media_type');
    }
    return next.handle();
  }
}

/** Enforces (and documents) a JSON request body; error responses are left to the caller. */
export function RequireJsonBody(): MethodDecorator {
  return applyDecorators(
    UseInterceptors(RequireJsonBodyInterceptor),
    ApiConsumes('application/json'),
  );
}

/** A core route that takes a JSON body: enforces the media type and documents 400, 413 and 415. */
export function JsonBody(): MethodDecorator {
  return applyDecorators(RequireJsonBody(), ApiErrors(...JSON_BODY_ERRORS));
}
