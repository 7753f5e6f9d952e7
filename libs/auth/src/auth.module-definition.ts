import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { AuthModuleOptions, ResolvedAuthOptions } from './auth-options';

export const {
  ConfigurableModuleClass: AuthConfigurableModule,
  MODULE_OPTIONS_TOKEN: AUTH_MODULE_OPTIONS,
  OPTIONS_TYPE: AUTH_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: AUTH_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<AuthModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();

/** Injection token of the options with defaults applied and validated. */
export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');
export type { ResolvedAuthOptions };
