import { type CanActivate, type ExecutionContext, Injectable, UseGuards } from '@nestjs/common';
import { OAuthError } from './oauth-error.filter';

/** RFC 6749 requests are `application/x-www-form-urlencoded`; anything else is invalid_request. */
@Injectable()
export class RequireFormBodyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const type = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>().headers[
      'content-type'
    ];
    if (typeof type !== 'string' || !/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) {
      throw new OAuthError(
        'invalid_request',
        'The body must be application/x-www-form-urlencoded.',
      );
    }
    return true;
  }
}

export const RequireFormBody = (): MethodDecorator & ClassDecorator =>
  UseGuards(RequireFormBodyGuard);
