import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  UseInterceptors,
} from '@nestjs/common';
import type { Observable } from 'rxjs';
import { OAuthError } from './oauth-error.filter';

/** RFC 6749 requests are `application/x-www-form-urlencoded`; anything else is invalid_request. */
@Injectable()
export class RequireFormBodyInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const type = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>().headers[
      'content-type'
    ];
    if (typeof type !== 'string' || !/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) {
      throw new OAuthError(
        'invalid_request',
        'The body must be application/x-www-form-urlencoded.',
      );
    }
    return next.handle();
  }
}

export const RequireFormBody = (): MethodDecorator => UseInterceptors(RequireFormBodyInterceptor);
