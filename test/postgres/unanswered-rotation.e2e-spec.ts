import { postgresPool } from '../../libs/auth/src/database/postgres-pool';
import { refreshTokenKey } from '../../libs/auth/src/sessions/refresh-token-key';
import { adminTokens, loggedInOperator, refresh } from '../support/factories';
import { startTestApp, type TestApp } from '../support/test-app';
import { createTestDatabase } from '../support/test-database';

type Query = (config: { name: string }) => Promise<unknown>;

/**
 * A rotation whose write took effect but whose answer never came back (the database froze
 * between the commit and the reply, or the connection dropped then): the request answered
 * 503, so the client presents the same token again. With grace 0 that would be reuse; the
 * server instead resumes the chain from the successor nobody saw.
 */
describe('A refresh answered 503 whose write took effect after all', () => {
  let app: TestApp;
  let admin: string;
  let pool: { query: Query };
  let original: Query;

  beforeAll(async () => {
    app = await startTestApp({
      db: await createTestDatabase('postgres'),
      env: { REFRESH_REUSE_GRACE_SECONDS: '0', RATE_LIMIT_PER_MINUTE: '0' },
    });
    admin = (await adminTokens(app.http)).access_token;
    pool = postgresPool(app.dataSource) as unknown as { query: Query };
    original = pool.query.bind(pool);
  });
  afterEach(() => {
    pool.query = original;
  });
  afterAll(() => app.dispose());

  /** The next rotation statement runs and commits, then its answer is lost. */
  function loseNextRotationAnswer(): void {
    pool.query = async (config) => {
      if (!config.name.startsWith('auth_rotate_refresh_token')) return original(config);
      pool.query = original;
      await original(config);
      throw new Error('Connection terminated unexpectedly');
    };
  }

  async function tokenRow(token: string) {
    const [row] = await app.dataSource.query<{ generation: number; consumed_at: string | null }[]>(
      'SELECT generation, consumed_at FROM refresh_tokens WHERE token_hash = $1',
      [refreshTokenKey(token)],
    );
    return row;
  }

  it('answers the retry with a new successor, and the session lives on', async () => {
    const operator = await loggedInOperator(app.http, admin);
    const presented = operator.tokens.refresh_token;

    loseNextRotationAnswer();
    const lost = await refresh(app.http, presented).expect(503);
    expect(lost.body.error.code).toBe('service_unavailable');
    expect(lost.headers['retry-after']).toMatch(/^\d+$/);
    // The write did take effect: the token is consumed.
    expect((await tokenRow(presented)).consumed_at).not.toBeNull();

    const retried = await refresh(app.http, presented).expect(200);
    // Generation 1 went to no one; the client goes on from generation 2.
    expect((await tokenRow(retried.body.refresh_token as string)).generation).toBe(2);
    await refresh(app.http, retried.body.refresh_token as string).expect(200);
    const [session] = await app.dataSource.query<{ revoked_at: string | null }[]>(
      'SELECT revoked_at FROM sessions WHERE id = $1',
      [operator.tokens.session_state],
    );
    expect(session.revoked_at).toBeNull();
  });

  it('resumes once: the same token presented a third time is reuse', async () => {
    const operator = await loggedInOperator(app.http, admin);
    const presented = operator.tokens.refresh_token;
    loseNextRotationAnswer();
    await refresh(app.http, presented).expect(503);
    await refresh(app.http, presented).expect(200);
    const replayed = await refresh(app.http, presented).expect(401);
    expect(replayed.body.error.code).toBe('refresh_token_reused');
  });

  it('a token consumed by an answered exchange is still reuse', async () => {
    const operator = await loggedInOperator(app.http, admin);
    await refresh(app.http, operator.tokens.refresh_token).expect(200);
    const replayed = await refresh(app.http, operator.tokens.refresh_token).expect(401);
    expect(replayed.body.error.code).toBe('refresh_token_reused');
  });
});
