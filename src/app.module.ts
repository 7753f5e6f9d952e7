import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../libs/auth/src';
import type { DataSourceOptions } from 'typeorm';
import { buildDataSourceOptions } from './config/database';
import { initializeWithMigrations } from './config/migrations';
import { SqliteCheckpointService } from './database/sqlite-checkpoint.service';
import type { AppConfig } from './config/env';
import { authModuleOptionsFor } from './config/auth-module-options';
import { HealthModule } from './health/health.module';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { MetricsModule } from './metrics/metrics.module';
import type { ServerMetrics } from './metrics/server-metrics';
import { TracingFlush } from './tracing/tracing-flush';
import { WalletOperationController } from './wallet/wallet-operation.controller';

/** The standalone server: a thin host of the library, configured from validated settings. */
@Module({})
export class AppModule {
  /** `metrics`: the server's metrics when METRICS_ENABLED (createApp makes them), else null. */
  static register(config: AppConfig, metrics: ServerMetrics | null = null): DynamicModule {
    return {
      module: AppModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => buildDataSourceOptions(config.database),
          // Migrations run at start-up, one instance at a time; the schema never comes from
          // `synchronize`.
          dataSourceFactory: (options) => initializeWithMigrations(options as DataSourceOptions),
        }),
        AuthModule.forRootAsync({
          // A factory, so the warning about a generated secret goes to the app's logger.
          useFactory: () => ({
            ...authModuleOptionsFor(config),
            bootstrapAdmin: config.bootstrapAdmin,
            rateLimitPerMinute: config.rateLimitPerMinute,
            ...(metrics && { metrics: metrics.auth }),
            ...(config.webhook && { webhook: config.webhook }),
            ...(config.webhookRetryScheduleSeconds && {
              securityEventRetryScheduleSeconds: config.webhookRetryScheduleSeconds,
            }),
          }),
          profiles: config.profiles,
        }),
        LifecycleModule.register({
          timeoutMs: config.shutdownTimeoutMs,
          delayMs: config.shutdownDelayMs,
        }),
        HealthModule.register(config.database.timeoutMs),
        ...(metrics ? [MetricsModule.register(metrics, config.metrics.port, config.host)] : []),
      ],
      // The wallet operation needs seed 004's guard, so it exists only with that profile.
      controllers: config.profiles.includes('wallet-refresh') ? [WalletOperationController] : [],
      providers: [
        TracingFlush,
        ...(config.database.type === 'sqlite' ? [SqliteCheckpointService] : []),
      ],
    };
  }
}
