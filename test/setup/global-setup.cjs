// Starts one PostgreSQL for the whole run (each test file then creates its own database).
// TEST_DATABASE_URL points the suites at an existing server instead (CI's Debian PostgreSQL).
const { startEmbeddedPostgres } = require('./embedded-postgres.cjs');

module.exports = async function globalSetup() {
  // Names this run: tests that run the built server build dist/ once per run (server-process.ts).
  process.env.TEST_RUN_ID = `${process.pid}-${Date.now()}`;
  if (process.env.TEST_DATABASE_URL) {
    process.env.TEST_PG_ADMIN_URL = process.env.TEST_DATABASE_URL;
    return;
  }
  const started = Date.now();
  const server = await startEmbeddedPostgres();
  globalThis.__EMBEDDED_PG__ = server;
  process.env.TEST_PG_ADMIN_URL = server.url;
  process.stdout.write(`\nembedded PostgreSQL ready in ${Date.now() - started} ms\n`);
};
