import { type DynamicModule, Module } from '@nestjs/common';
import { SecurityEventsModule } from './security-events/security-events.module';
import { APP_GUARD, RouterModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiUsersModule } from './api-users/api-users.module';
import { ApiUsersRoutesModule } from './api-users/api-users-routes.module';
import { AuditModule } from './audit/audit.module';
import {
  resolveAuthOptions,
  type AuthModuleOptions,
  type ResolvedAuthOptions,
} from './auth-options';
import {
  AUTH_ASYNC_OPTIONS_TYPE,
  AUTH_MODULE_OPTIONS,
  AUTH_OPTIONS,
  AUTH_ROUTE_PREFIX,
  AUTH_OPTIONS_TYPE,
  AuthConfigurableModule,
  type AuthModuleExtras,
} from './auth.module-definition';
import { ClientsModule } from './clients/clients.module';
import { ClientsRoutesModule } from './clients/clients-routes.module';
import { applyAuthTablePrefix } from './database/auth-tables';
import { UnitOfWork } from './database/unit-of-work';
import { AUTH_ENTITIES } from './entities';
import { KeysModule } from './keys/keys.module';
import { AUTH_METRICS } from './metrics/auth-metrics';
import { KeysRoutesModule } from './keys/keys-routes.module';
import { SessionsModule } from './sessions/sessions.module';
import { GlobalBearerGuard } from './token/global-bearer.guard';
import { SharedStore } from './shared-store/shared-store';
import { ClusterMessages } from './cluster/cluster-messages';
import { TokenModule } from './token/token.module';
import { OAuthModule } from './oauth/oauth.module';
import { PROFILE_NAMES, type ProfileName } from './profiles/profile-names';
import { PROFILE_MODULES } from './profiles/profiles';

/** Holds what every feature module of the library injects: resolved options and the unit of work. */
@Module({})
class AuthCoreModule {}

/**
 * Re-exports, to every module of the host, what the exported guards inject: a host module that
 * applies `@Authenticated()`, `@UseGuards(BearerAuthGuard)` or `@WalletOperation()` builds the
 * guard in its own injector, and need not import AuthModule or make it global for that.
 */
@Module({})
class AuthGuardDependenciesModule {}

/**
 * The auth server as a Nest module. `forRoot(options)` or `forRootAsync({ imports, inject,
 * useFactory })`; the host provides the TypeORM data source (with AUTH_ENTITIES and the
 * AUTH_MIGRATIONS of its dialect).
 */
@Module({})
export class AuthModule extends AuthConfigurableModule {
  static override forRoot(options: typeof AUTH_OPTIONS_TYPE): DynamicModule {
    return AuthModule.assemble(super.forRoot(options), options);
  }

  static override forRootAsync(options: typeof AUTH_ASYNC_OPTIONS_TYPE): DynamicModule {
    return AuthModule.assemble(super.forRootAsync(options), options);
  }

  private static assemble(base: DynamicModule, extras: AuthModuleExtras): DynamicModule {
    const profiles: ProfileName[] = extras.profiles ?? PROFILE_NAMES;
    const routePrefix = (extras.routePrefix ?? '').replace(/^\/+|\/+$/g, '');
    if (!/^[A-Za-z0-9._~/-]*$/.test(routePrefix)) {
      throw new Error(
        `Invalid AuthModule routePrefix "${extras.routePrefix}": use letters, digits and - . _ ~ /`,
      );
    }
    // Before the host's data source initialises: it reads the entities' table names then.
    applyAuthTablePrefix(extras.tablePrefix ?? '');
    const unknown = profiles.filter((name) => !PROFILE_NAMES.includes(name));
    if (unknown.length > 0) {
      throw new Error(
        `Unknown AuthModule profiles: ${unknown.join(', ')} (known: ${PROFILE_NAMES.join(', ')})`,
      );
    }
    const core: DynamicModule = {
      module: AuthCoreModule,
      // Global so the feature modules below can inject the options without re-importing them.
      global: true,
      imports: [...(base.imports ?? []), TypeOrmModule.forFeature(AUTH_ENTITIES)],
      providers: [
        ...(base.providers ?? []),
        {
          provide: AUTH_OPTIONS,
          inject: [AUTH_MODULE_OPTIONS],
          useFactory: (options: AuthModuleOptions) => resolveAuthOptions(options),
        },
        // The host's metrics sink (or the no-op one), injected where outcomes are decided.
        {
          provide: AUTH_METRICS,
          inject: [AUTH_OPTIONS],
          useFactory: (options: ResolvedAuthOptions) => options.metrics,
        },
        UnitOfWork,
        SharedStore,
        ClusterMessages,
        { provide: AUTH_ROUTE_PREFIX, useValue: routePrefix },
      ],
      exports: [
        AUTH_OPTIONS,
        AUTH_METRICS,
        AUTH_ROUTE_PREFIX,
        UnitOfWork,
        SharedStore,
        ClusterMessages,
        TypeOrmModule,
      ],
    };
    const mountedProfiles = [...new Set(profiles)].map((name) => PROFILE_MODULES[name]);
    const guardDependencies = [
      TokenModule,
      SessionsModule,
      ...(profiles.includes('wallet-refresh') ? [PROFILE_MODULES['wallet-refresh']] : []),
    ];
    // The services every part needs, then the routes the host chose to mount.
    const services = [
      AuditModule,
      KeysModule,
      SessionsModule,
      ApiUsersModule,
      ClientsModule,
      TokenModule,
      SecurityEventsModule,
    ];
    const routes = [
      ...(extras.adminApi === false ? [] : [ApiUsersRoutesModule, KeysRoutesModule]),
      ...(extras.clientsApi === false ? [] : [ClientsRoutesModule]),
      ...(extras.oauth === false ? [] : [OAuthModule]),
      ...mountedProfiles,
    ];
    const features = [...services, ...routes];
    return {
      module: AuthModule,
      global: base.global,
      imports: [
        core,
        {
          module: AuthGuardDependenciesModule,
          global: true,
          imports: guardDependencies,
          exports: guardDependencies,
        },
        ...features,
        // Each module is listed: RouterModule prefixes the controllers of the modules it names.
        ...(routePrefix
          ? [RouterModule.register(features.map((module) => ({ path: routePrefix, module })))]
          : []),
      ],
      providers: [{ provide: APP_GUARD, useClass: GlobalBearerGuard }],
      exports: [...services, ...mountedProfiles],
    };
  }
}
