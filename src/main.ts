// First: tracing, when configured, must patch http, fastify and the drivers before they load.
import './tracing/register';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { BootstrapAdminService } from '../libs/auth/src/api-users/bootstrap-admin.service';
import { createApp } from './app.factory';
import { ConfigError, loadConfig } from './config/env';
import { createRootLogger } from './logging/root-logger';

async function bootstrap(): Promise<void> {
  const logger = new Logger('Main');
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      // No configuration, so no LOG_FORMAT: the line is JSON, as by default.
      createRootLogger({ format: 'json', level: 'info' })?.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const started = performance.now();
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  const where =
    config.database.type === 'postgres' ? 'PostgreSQL' : `SQLite at ${config.database.path}`;
  logger.log(
    `ready in ${Math.round(performance.now() - started)} ms on port ${config.port} (${where}); ${config.docsEnabled ? 'Swagger UI at /docs' : 'docs disabled'}`,
  );
  // Nobody can administer a server without an admin: say how to make the first one.
  const adminExists = await app
    .get(BootstrapAdminService)
    .adminExists()
    .catch(() => true);
  if (!adminExists) logger.warn(NO_ADMIN_HINT);
}

const NO_ADMIN_HINT =
  'no admin exists yet: create one with `npx auth-admin bootstrap-admin` (same environment variables as the server), or start with BOOTSTRAP_ADMIN_KEY_ID and BOOTSTRAP_ADMIN_KEY_SECRET set';

bootstrap().catch((error: unknown) => {
  // Only the error class and message: a driver message is safe here (start-up, no request data).
  new Logger('Main').error(
    error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  );
  process.exit(1);
});
