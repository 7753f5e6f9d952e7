import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Delivery {
  id: string;
  type: string;
  body: Record<string, unknown>;
  /** What the receiver answered. */
  status: number;
  /** The Standard Webhooks signature checked out (the receiver's own check). */
  verified: boolean;
}

/**
 * A webhook receiver as a customer would run one: it checks every request's signature with
 * the `standardwebhooks` package and records it. `failing` makes it answer 503 (an outage).
 */
export class WebhookReceiver {
  readonly deliveries: Delivery[] = [];
  failing = false;
  /** How long each answer takes (a slow receiver keeps deliveries in flight). */
  delayMs = 0;
  /** Requests being answered right now, per event id: above 1 is a concurrent duplicate. */
  readonly inFlight = new Map<string, number>();
  maxInFlightPerId = 0;
  private server?: Server;
  private readonly verifier: Webhook;

  constructor(secret: string) {
    this.verifier = new Webhook(secret);
  }

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      const id = String(request.headers['webhook-id']);
      const now = (this.inFlight.get(id) ?? 0) + 1;
      this.inFlight.set(id, now);
      this.maxInFlightPerId = Math.max(this.maxInFlightPerId, now);
      request.on('end', () =>
        setTimeout(() => this.answer(id, body, request.headers, response), this.delayMs),
      );
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  private answer(
    id: string,
    body: string,
    headers: IncomingHttpHeaders,
    response: ServerResponse,
  ): void {
    this.inFlight.set(id, (this.inFlight.get(id) ?? 1) - 1);
    const verified = this.verify(body, headers);
    const status = !verified ? 400 : this.failing ? 503 : 204;
    const parsed = JSON.parse(body) as Record<string, unknown>;
    this.deliveries.push({ id, type: String(parsed.type), body: parsed, status, verified });
    response.writeHead(status).end();
  }

  private verify(body: string, headers: IncomingHttpHeaders): boolean {
    try {
      this.verifier.verify(body, {
        'webhook-id': String(headers['webhook-id']),
        'webhook-timestamp': String(headers['webhook-timestamp']),
        'webhook-signature': String(headers['webhook-signature']),
      });
      return true;
    } catch {
      return false;
    }
  }

  /** The deliveries it accepted (2xx), in arrival order. */
  accepted(): Delivery[] {
    return this.deliveries.filter((delivery) => delivery.status < 300);
  }

  async waitFor(predicate: () => boolean, ms = 30_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!predicate()) {
      if (Date.now() > deadline) {
        const seen = this.deliveries.map((d) => `${d.status} ${d.type} ${d.id}`).join('\n');
        throw new Error(`not delivered within ${ms} ms; deliveries:\n${seen}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
