import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { AUTH_OPTIONS, type ResolvedAuthOptions } from '../auth.module-definition';
import { BearerAuthGuard } from './bearer-auth.guard';

/**
 * The APP_GUARD the module registers. Whether a host wants the bearer guard on every route
 * is only known once (possibly async) options resolve, so the choice is made here.
 */
@Injectable()
export class GlobalBearerGuard implements CanActivate {
  constructor(
    private readonly bearer: BearerAuthGuard,
    @Inject(AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
  ) {}

  canActivate(context: ExecutionContext): Promise<boolean> | boolean {
    return this.options.globalGuard ? this.bearer.canActivate(context) : true;
  }
}
