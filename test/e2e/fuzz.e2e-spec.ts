import type { AddressInfo } from 'node:net';
import { startTestApp, type TestApp } from '../support/test-app';
import {
  adminTokens,
  bearer,
  clientSecretOf,
  exchange,
  loggedInOperator,
  registeredUser,
} from '../support/factories';
import { loadOperations } from '../support/fuzz/openapi-operations';
import type { FuzzFixtures } from '../support/fuzz/hostile-requests';
import { runFuzz } from '../support/fuzz/run-fuzz';

/**
 * 20,000 hostile requests on each database (about a minute each on 2 cores);
 * FUZZ_REQUESTS sets another number.
 */
const COUNT = Number(process.env.FUZZ_REQUESTS ?? 20_000);
/** FUZZ_SEED replays another sequence; a failure names its request by index in the sequence. */
const SEED = Number(process.env.FUZZ_SEED ?? 0x19f022);

describe('Hostile requests (a fuzzer driven by openapi.json)', () => {
  let t: TestApp;
  let port: number;
  let fixtures: FuzzFixtures;

  beforeAll(async () => {
    // Token endpoints are rate limited per address: lifted here, or most of the requests
    // would meet the limiter and not the code behind it.
    t = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '10000000' } });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
    const admin = await adminTokens(t.http);
    // Valid tokens let requests past the guards. Several admin sessions: a fuzzed logout
    // revokes only the one it presents. The ids are of things made for the fuzzer, so
    // revoking or suspending them costs the other requests nothing.
    const otherAdmin = await registeredUser(t.http, admin.access_token, 'admin');
    const adminSessions = await Promise.all(
      Array.from({ length: 4 }, () =>
        exchange(t.http, otherAdmin.apiKeyId, otherAdmin.apiKeySecret),
      ),
    );
    const operator = await loggedInOperator(t.http, admin.access_token);
    const victim = await loggedInOperator(t.http, admin.access_token);
    const victimSessions = await Promise.all(
      Array.from({ length: 3 }, () => exchange(t.http, victim.apiKeyId, victim.apiKeySecret)),
    );
    const clientSecret = await clientSecretOf(t.http, admin.access_token);
    const clients = await t.http.get('/clients').set(bearer(admin.access_token)).expect(200);
    fixtures = {
      bearerTokens: [...adminSessions.map((s) => s.access_token), operator.tokens.access_token],
      expendableTokens: victimSessions.map((s) => s.access_token),
      refreshTokens: [victim.tokens.refresh_token, ...victimSessions.map((s) => s.refresh_token)],
      clientSecrets: [clientSecret],
      ids: [
        victim.apiUserId,
        victim.apiKeyId,
        victim.tokens.session_state,
        String(clients.body.edges[0].node.client_id),
        '0190f5a2-7c1e-7000-8000-000000000000',
      ],
    };
  });
  afterAll(() => t.dispose());

  it(
    `answers ${COUNT} hostile requests, none with a 5xx, every error in its documented shape`,
    async () => {
      const started = performance.now();
      const report = await runFuzz({
        port,
        seed: SEED,
        count: COUNT,
        concurrency: 4,
        timeoutMs: 10_000,
        operations: loadOperations(),
        fixtures,
      });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      // The spread of what was sent and answered, so a run that stopped exercising
      // something shows in the log.
      process.stdout.write(
        `fuzz (${process.env.TEST_DB}, seed ${SEED}): ${report.sent} requests in ${seconds} s\n` +
          `  statuses ${JSON.stringify(report.statuses)}\n  kinds ${JSON.stringify(report.kinds)}\n`,
      );
      expect({ failureCount: report.failureCount, failures: report.failures }).toEqual({
        failureCount: 0,
        failures: [],
      });
      expect(report.sent).toBe(COUNT);
      // 503s mean the database did not answer within DATABASE_TIMEOUT_MS: on a machine shared
      // with other jobs, a handful; more would be a server that stalls.
      expect(report.statuses['503'] ?? 0).toBeLessThanOrEqual(COUNT / 2000);
    },
    15 * 60_000,
  );
});
