import { type DynamicModule, Module } from '@nestjs/common';
import { GracefulShutdown, SHUTDOWN_OPTIONS, type ShutdownOptions } from './graceful-shutdown';

/** Global: readiness (HealthModule) and the HTTP layer read whether the server is draining. */
@Module({})
export class LifecycleModule {
  static register(options: ShutdownOptions): DynamicModule {
    return {
      module: LifecycleModule,
      global: true,
      providers: [{ provide: SHUTDOWN_OPTIONS, useValue: options }, GracefulShutdown],
      exports: [GracefulShutdown],
    };
  }
}
