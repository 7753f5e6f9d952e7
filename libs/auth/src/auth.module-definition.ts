import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { AuthModuleOptions, ResolvedAuthOptions } from './auth-options';
import { PROFILE_NAMES, type ProfileName } from './profiles/profile-names';

/** Options fixed when the module is declared (they decide which modules and routes exist). */
export interface AuthModuleExtras {
  /** Make the module's exports visible everywhere (default false). */
  isGlobal?: boolean;
  /** Wire-format profiles to mount (default: all of them): authenticate-refresh, login-refresh-token, wallet-refresh. */
  profiles?: ProfileName[];
  /**
   * Mount the admin API: `/api-users` (users, registration, API keys, history) and `/keys`
   * (signing keys). Default true. Without it, the host manages users through ApiUsersService
   * and ApiKeysService; the bootstrap admin and the token endpoints work as before.
   */
  adminApi?: boolean;
  /** Mount `/clients` (the client applications of the wallet-token profile). Default true. */
  clientsApi?: boolean;
  /** Mount the OAuth 2.0 endpoints (`/oauth/*`, `/.well-known/oauth-authorization-server`). Default true. */
  oauth?: boolean;
  /** A path prefix for every route of the library, e.g. `identity` (default: none). */
  routePrefix?: string;
  /**
   * A prefix for the library's table, index and constraint names, e.g. `auth_` for
   * `auth_sessions` beside a `sessions` table of the host's (default: none). Give the same to
   * `authMigrations(dialect, { tablePrefix })`. Process-wide: one prefix per process.
   */
  tablePrefix?: string;
}

export const {
  ConfigurableModuleClass: AuthConfigurableModule,
  MODULE_OPTIONS_TOKEN: AUTH_MODULE_OPTIONS,
  OPTIONS_TYPE: AUTH_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: AUTH_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<AuthModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras<AuthModuleExtras>(
    { isGlobal: false, profiles: PROFILE_NAMES, routePrefix: '', tablePrefix: '' },
    (definition, extras) => ({
      ...definition,
      global: extras.isGlobal,
    }),
  )
  .build();

/** Injection token of the options with defaults applied and validated. */
export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');
/** Injection token of the library's route prefix ('' for none), for absolute URLs it publishes. */
export const AUTH_ROUTE_PREFIX = Symbol('AUTH_ROUTE_PREFIX');
export type { ResolvedAuthOptions };
