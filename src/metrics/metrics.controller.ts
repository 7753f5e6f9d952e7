import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../../libs/auth/src';
import { ServerMetrics } from './server-metrics';

/**
 * `GET /metrics` on the main port (not with METRICS_PORT, which serves it alone). Public, as
 * Prometheus scrapes without credentials; left out of the OpenAPI document, which describes
 * the API clients use, not the operator's endpoints.
 */
@ApiExcludeController()
@Controller('metrics')
@Public()
export class MetricsController {
  constructor(@Inject(ServerMetrics) private readonly metrics: ServerMetrics) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  render(): Promise<string> {
    return this.metrics.render();
  }
}
