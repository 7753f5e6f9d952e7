import type { Server } from 'node:http';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

export const SHUTDOWN_OPTIONS = Symbol('SHUTDOWN_OPTIONS');

export interface ShutdownOptions {
  /** How long requests in flight may take once the listener is closed (SHUTDOWN_TIMEOUT_MS). */
  timeoutMs: number;
  /** How long the listener stays open while readiness already says 503 (SHUTDOWN_DELAY_MS). */
  delayMs: number;
}

/**
 * The server's part in a graceful shutdown; Nest's shutdown hooks drive it (main.ts enables
 * them for SIGTERM and SIGINT). Nest runs `beforeApplicationShutdown` hooks, then closes the
 * HTTP server (Fastify stops accepting, Node closes idle keep-alive connections and waits for
 * the busy ones), then runs `onApplicationShutdown` hooks, where TypeORM closes the database.
 * This adds what those steps lack:
 * - `draining` turns readiness to 503 the moment shutdown begins, and every response sent from
 *   then on carries `Connection: close` (see app.factory.ts), so a connection busy when the
 *   listener closes ends with its response instead of idling until its keep-alive timeout;
 * - an optional delay before the listener closes, for load balancers that learn of the
 *   shutdown by polling readiness: connections they open meanwhile are still served, where a
 *   closed listener would reset those the kernel had already accepted;
 *   (terminus has such a delay, `gracefulShutdownTimeoutMs`, but on SIGTERM only, and in a hook
 *   whose order against this one's Nest does not define: the deadline below must start after it);
 * - a deadline on the drain, after which the remaining connections are cut so that the
 *   database still closes and the process exits.
 */
@Injectable()
export class GracefulShutdown implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Shutdown');
  private deadline: NodeJS.Timeout | undefined;
  private shuttingDown = false;

  constructor(
    @Inject(SHUTDOWN_OPTIONS) private readonly options: ShutdownOptions,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** True from the moment shutdown begins. */
  get draining(): boolean {
    return this.shuttingDown;
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.shuttingDown = true;
    const { delayMs, timeoutMs } = this.options;
    if (signal) {
      this.logger.log(
        `${signal}: readiness is 503; closing the listener in ${delayMs} ms, then draining for up to ${timeoutMs} ms`,
      );
    }
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server) return;
    this.deadline = setTimeout(() => {
      this.logger.warn(`requests still in flight after ${timeoutMs} ms: closing their connections`);
      server.closeAllConnections();
    }, timeoutMs);
    // The deadline never keeps the process alive by itself.
    this.deadline.unref();
  }

  onApplicationShutdown(): void {
    clearTimeout(this.deadline);
    this.deadline = undefined;
  }
}
