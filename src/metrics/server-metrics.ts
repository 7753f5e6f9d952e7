import { collectDefaultMetrics, Registry } from 'prom-client';
import { HttpDurationHistogram } from './http-duration';
import { PrometheusAuthMetrics } from './prometheus-auth-metrics';

let processRegistry: Registry | undefined;

/**
 * prom-client's process metrics (CPU, memory, event-loop lag, GC, handles), once per process:
 * they describe the process, and each registration starts its own event-loop monitor, so
 * several apps in one process (tests) share one.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** The server's metrics: the library's counters, the HTTP histogram, the process metrics. */
export class ServerMetrics {
  readonly contentType = Registry.PROMETHEUS_CONTENT_TYPE;
  private readonly registry = new Registry();
  /** Given to AuthModule as its `metrics` option. */
  readonly auth = new PrometheusAuthMetrics(this.registry);
  readonly http = new HttpDurationHistogram(this.registry);

  /** The Prometheus text exposition of everything. */
  async render(): Promise<string> {
    const [own, process] = await Promise.all([this.registry.metrics(), processMetrics().metrics()]);
    return `${own}\n${process}`;
  }
}
