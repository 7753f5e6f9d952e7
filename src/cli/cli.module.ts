import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DataSourceOptions } from 'typeorm';
import { AuthModule } from '../../libs/auth/src';
import { buildDataSourceOptions } from '../config/database';
import type { AppConfig } from '../config/env';
import { authModuleOptionsFor } from '../config/auth-module-options';
import { initializeWithMigrations } from '../config/migrations';
import { ApiKeysCommands } from './api-keys.command';
import { ApiUsersCommands } from './api-users.command';
import { AuditCommands } from './audit.command';
import { BootstrapAdminCommand } from './bootstrap-admin.command';
import { KeysCommands } from './keys.command';
import { RewrapKeysCommand } from './rewrap-keys.command';
import { AuthAdminRootCommand } from './root.command';
import { SessionsCommands } from './sessions.command';

/** Every command class of `auth-admin`. */
export const CLI_COMMANDS = [
  AuthAdminRootCommand,
  BootstrapAdminCommand,
  ...ApiUsersCommands,
  ...ApiKeysCommands,
  ...KeysCommands,
  ...SessionsCommands,
  ...AuditCommands,
  RewrapKeysCommand,
];

/**
 * What `auth-admin` runs in: the server's data source (same variables, same migrations) and
 * the library's services, in an application context with no HTTP layer and no background
 * work. No timer is started (clean-up off, no automatic key rotation: the server does those),
 * and BOOTSTRAP_ADMIN_* are the server's business: the CLI creates an admin only when asked.
 */
@Module({})
export class CliModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            ...buildDataSourceOptions(config.database),
            // stdout is the command's: TypeORM's own console logging (migrations) is off.
            logging: false,
            // One attempt: an operator wants the error now, not after nine retries.
            toRetry: () => false,
          }),
          dataSourceFactory: (options) => initializeWithMigrations(options as DataSourceOptions),
        }),
        AuthModule.forRootAsync({
          useFactory: () => ({
            ...authModuleOptionsFor(config),
            signingKeyRotationDays: 0,
            cleanupIntervalSeconds: 0,
            globalGuard: false,
            // The server's instances deliver the security events this process records.
            relaySecurityEvents: false,
          }),
          profiles: [],
          adminApi: false,
          clientsApi: false,
          oauth: false,
        }),
      ],
      providers: CLI_COMMANDS,
    };
  }
}
