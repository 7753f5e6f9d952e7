import type { LoggerService } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory';
import { type AppConfig, loadConfig } from '../../src/config/env';
import { createTestDatabase, type TestDatabase } from './test-database';

export const ADMIN_KEY_ID = 'bootstrap-admin-key-0001';
export const ADMIN_KEY_SECRET = 'Bootstrap-admin-secret-for-tests-only-0123456789';
export const TEST_ISSUER = 'https://auth.test.example';

export interface TestApp {
  app: NestFastifyApplication;
  http: TestAgent;
  config: AppConfig;
  db: TestDatabase;
  dataSource: DataSource;
  /** Closes the app (the database stays: see `dispose`). */
  close(): Promise<void>;
  /** Closes the app and drops its database. */
  dispose(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  /** Receives everything the server logs (default: nothing is logged). */
  logger?: LoggerService;
  /**
   * The server's own logging (pino, LOG_FORMAT / LOG_LEVEL from `env`) writing here instead of
   * stdout; `logger` is then ignored.
   */
  logDestination?: DestinationStream;
  /** Reuse another app's database (restarts, several instances). */
  db?: TestDatabase;
}

/** Starts the standalone server, as `npm start` builds it, on a fresh database. */
export async function startTestApp(options: StartOptions = {}): Promise<TestApp> {
  const db = options.db ?? (await createTestDatabase());
  const config = loadConfig({
    ISSUER_URL: TEST_ISSUER,
    BOOTSTRAP_ADMIN_KEY_ID: ADMIN_KEY_ID,
    BOOTSTRAP_ADMIN_KEY_SECRET: ADMIN_KEY_SECRET,
    ...db.env,
    ...options.env,
  });
  const app = await createApp(
    config,
    options.logDestination
      ? { logDestination: options.logDestination }
      : { logger: options.logger ?? false },
  );
  const close = () => app.close();
  return {
    app,
    http: request(app.getHttpServer()),
    config,
    db,
    dataSource: app.get(DataSource),
    close,
    dispose: async () => {
      await close();
      await db.drop();
    },
  };
}
