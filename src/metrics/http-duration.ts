import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Metric, Registry } from 'prom-client';

/** Upper bounds in seconds: most answers take well under a millisecond to a few. */
export const HTTP_DURATION_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** The `route` of a request that matched no route (404s): never the raw URL. */
export const UNMATCHED_ROUTE = 'unmatched';

const NAME = 'http_server_request_duration_seconds';

interface SampleValue {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/** One label set's buckets, count and sum. */
interface Series {
  method: string;
  route: string;
  status: string;
  buckets: number[];
  count: number;
  sum: number;
}

/**
 * `http_server_request_duration_seconds{method,route,status}`: from the request's arrival to
 * the end of its response. A request finds its series through three Maps (method, then route
 * template, then status code): no label object or key string is built for it, only a series
 * made the first time a combination answers. Exposed to prom-client's registry as a metric
 * read when scraped.
 */
export class HttpDurationHistogram {
  readonly name = NAME;
  private readonly series = new Map<string, Map<string, Map<number, Series>>>();

  constructor(registry: Registry) {
    // Any object with a name and get() is a metric to the registry.
    registry.registerMetric(this as unknown as Metric);
  }

  /** Times every request (a response observer: called once the response has been sent). */
  readonly observeResponse = (request: FastifyRequest, reply: FastifyReply): void => {
    // Fastify's own clock for the request, started before the onRequest hooks.
    this.observe(
      request.method,
      request.routeOptions.url ?? UNMATCHED_ROUTE,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  };

  observe(method: string, route: string, status: number, seconds: number): void {
    let byRoute = this.series.get(method);
    if (byRoute === undefined)
      this.series.set(method, (byRoute = new Map<string, Map<number, Series>>()));
    let byStatus = byRoute.get(route);
    if (byStatus === undefined) byRoute.set(route, (byStatus = new Map<number, Series>()));
    let series = byStatus.get(status);
    if (series === undefined) {
      series = {
        method,
        route,
        status: String(status),
        buckets: HTTP_DURATION_BUCKETS.map(() => 0),
        count: 0,
        sum: 0,
      };
      byStatus.set(status, series);
    }
    const bounds = HTTP_DURATION_BUCKETS;
    for (let i = 0; i < bounds.length; i++) {
      if (seconds <= bounds[i]) {
        series.buckets[i] += 1;
        break;
      }
    }
    series.count += 1;
    series.sum += seconds;
  }

  /** What prom-client's registry renders, in the shape of its own Histogram's. */
  get(): {
    name: string;
    help: string;
    type: 'histogram';
    values: SampleValue[];
    aggregator: 'sum';
  } {
    const values: SampleValue[] = [];
    for (const byRoute of this.series.values())
      for (const byStatus of byRoute.values())
        for (const series of byStatus.values()) {
          const labels = { method: series.method, route: series.route, status: series.status };
          let cumulative = 0;
          HTTP_DURATION_BUCKETS.forEach((bound, i) => {
            cumulative += series.buckets[i];
            values.push({
              metricName: `${NAME}_bucket`,
              labels: { ...labels, le: bound },
              value: cumulative,
            });
          });
          values.push(
            {
              metricName: `${NAME}_bucket`,
              labels: { ...labels, le: '+Inf' },
              value: series.count,
            },
            { metricName: `${NAME}_sum`, labels, value: series.sum },
            { metricName: `${NAME}_count`, labels, value: series.count },
          );
        }
    return {
      name: NAME,
      help: 'Duration of HTTP requests, from arrival to the end of the response, in seconds.',
      type: 'histogram',
      values,
      aggregator: 'sum',
    };
  }
}
