import { type DynamicModule, Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';
import { MetricsServer } from './metrics-server';
import { ServerMetrics } from './server-metrics';

/** Serves the metrics: at /metrics on the main port, or on `port` alone. */
@Module({})
export class MetricsModule {
  static register(metrics: ServerMetrics, port: number | undefined, host: string): DynamicModule {
    return {
      module: MetricsModule,
      controllers: port === undefined ? [MetricsController] : [],
      providers: [
        { provide: ServerMetrics, useValue: metrics },
        ...(port === undefined
          ? []
          : [{ provide: MetricsServer, useFactory: () => new MetricsServer(metrics, port, host) }]),
      ],
      exports: [ServerMetrics],
    };
  }
}
