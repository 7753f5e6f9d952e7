import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A span as an OTLP/HTTP (JSON) export carries it, flattened with its scope's name. */
export interface ReceivedSpan {
  scope: string;
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  kind: number;
  attributes: Record<string, unknown>;
}

interface ExportRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: Array<{
      scope?: { name?: string };
      spans?: Array<Omit<ReceivedSpan, 'scope' | 'attributes'> & { attributes?: KeyValue[] }>;
    }>;
  }>;
}

interface KeyValue {
  key: string;
  value: Record<string, unknown>;
}

function attributesOf(list: KeyValue[] = []): Record<string, unknown> {
  return Object.fromEntries(list.map(({ key, value }) => [key, Object.values(value)[0]]));
}

/**
 * A small OTLP/HTTP trace receiver (POST /v1/traces, JSON), as a collector would be: it keeps
 * every span and the service name of the resource that sent it.
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly serviceNames = new Set<string>();
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        if (request.method !== 'POST' || request.url !== '/v1/traces') {
          response.writeHead(404).end();
          return;
        }
        this.accept(JSON.parse(body) as ExportRequest);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private accept(exported: ExportRequest): void {
    for (const resource of exported.resourceSpans ?? []) {
      const service = attributesOf(resource.resource?.attributes)['service.name'];
      if (typeof service === 'string') this.serviceNames.add(service);
      for (const scoped of resource.scopeSpans ?? [])
        for (const span of scoped.spans ?? [])
          this.spans.push({
            ...span,
            scope: scoped.scope?.name ?? '',
            attributes: attributesOf(span.attributes),
          });
    }
  }

  /** Resolves once `predicate` holds for the spans received (polling), or throws after `ms`. */
  async waitFor(predicate: (spans: ReceivedSpan[]) => boolean, ms = 15_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!predicate(this.spans)) {
      if (Date.now() > deadline) {
        const seen = this.spans.map((span) => `${span.scope}: ${span.name}`).join('\n');
        throw new Error(`spans not received within ${ms} ms; received:\n${seen}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
