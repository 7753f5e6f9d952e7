// npm run cluster: several instances of the built server on one machine, for trying out what
// they share. Node's cluster module runs each instance in a process of its own, all on one
// port (PORT, default 3000): the primary hands each new connection to the next instance in
// turn, as a load balancer would.
//
//   npm run cluster                      (2 instances)
//   npm run cluster -- --instances 4
//
// The instances share a PostgreSQL database: DATABASE_URL, or else a throwaway embedded
// PostgreSQL, deleted at exit. They share a Redis for their limits: REDIS_URL, or else a
// throwaway redis-server when Debian's is installed, or else none (each counts alone, and
// revocations travel through PostgreSQL's LISTEN/NOTIFY). KEY_ENCRYPTION_SECRET and the bootstrap
// admin are generated when unset, the same for every instance, and printed.
import cluster from 'node:cluster';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRedisServer } from './bench/processes.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = join(ROOT, 'dist/src/main.js');

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
}

function log(line) {
  console.error(`[cluster] ${line}`);
}

function hasRedisServer() {
  try {
    execFileSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function main() {
  const instances = Number(option('instances', '2'));
  if (!Number.isInteger(instances) || instances < 1 || instances > 16)
    throw new Error('--instances must be a whole number from 1 to 16');
  if (!existsSync(MAIN)) throw new Error('run `npm run build` first (npm run cluster does)');

  const cleanups = [];
  const env = {};
  if (!process.env.DATABASE_URL) {
    const { startEmbeddedPostgres } = createRequire(import.meta.url)(
      join(ROOT, 'test/setup/embedded-postgres.cjs'),
    );
    const pg = await startEmbeddedPostgres();
    cleanups.push(() => pg.stop());
    env.DATABASE_URL = pg.url;
    log(`database: a throwaway embedded PostgreSQL at ${pg.url} (deleted at exit)`);
  }
  if (!process.env.REDIS_URL) {
    if (hasRedisServer()) {
      const redis = await startRedisServer(false);
      cleanups.push(() => redis.child.kill('SIGTERM'));
      env.REDIS_URL = redis.url;
      log(`limits shared through a throwaway redis-server at ${redis.url}`);
    } else {
      log('no REDIS_URL and no redis-server: each instance counts its limits alone');
    }
  }
  if (!process.env.KEY_ENCRYPTION_SECRET)
    env.KEY_ENCRYPTION_SECRET = randomBytes(32).toString('base64url');
  if (!process.env.BOOTSTRAP_ADMIN_KEY_ID) {
    env.BOOTSTRAP_ADMIN_KEY_ID = `cluster-admin-${randomBytes(6).toString('hex')}`;
    env.BOOTSTRAP_ADMIN_KEY_SECRET = randomBytes(32).toString('base64url');
    log(
      `bootstrap admin: api_key_id ${env.BOOTSTRAP_ADMIN_KEY_ID} api_key_secret ${env.BOOTSTRAP_ADMIN_KEY_SECRET}`,
    );
  }

  cluster.setupPrimary({ exec: MAIN });
  let stopping = false;
  const workers = new Map();
  const startInstance = (index) => {
    const worker = cluster.fork(env);
    workers.set(worker.id, index);
    worker.on('exit', (code, signal) => {
      workers.delete(worker.id);
      if (stopping) return;
      log(`instance ${index} exited (${signal ?? code}); starting it again`);
      setTimeout(() => startInstance(index), 1000);
    });
  };
  for (let i = 1; i <= instances; i += 1) startInstance(i);
  log(
    `${instances} instances on port ${process.env.PORT ?? 3000}; Swagger UI at http://localhost:${process.env.PORT ?? 3000}/docs; Ctrl-C stops them all`,
  );

  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    log('stopping the instances');
    await Promise.all(
      Object.values(cluster.workers ?? {}).map(
        (worker) =>
          new Promise((resolve) => {
            worker.once('exit', resolve);
            worker.kill('SIGTERM');
          }),
      ),
    );
    for (const cleanup of cleanups.reverse()) await cleanup();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error) => {
  log(`failed: ${error.message}`);
  process.exit(1);
});
