import { adminTokens, registeredUser } from '../support/factories';
import { startTestApp, type TestApp } from '../support/test-app';

interface FailedRow {
  ip: string;
  api_key_id: string | null;
  data: string;
}

describe('auth.failed events for unknown API key ids', () => {
  let t: TestApp;

  beforeAll(async () => {
    // Loopback is the trusted proxy, so X-Forwarded-For names each test client.
    t = await startTestApp({ env: { TRUST_PROXY: '127.0.0.1' } });
  });
  afterAll(() => t.dispose());

  const token = (from: string, apiKeyId: string, secret = 'not-the-secret') =>
    t.http
      .post('/auth/token')
      .set('x-forwarded-for', from)
      .send({ api_key_id: apiKeyId, api_key_secret: secret });

  const failedRows = async (ip: string): Promise<FailedRow[]> =>
    t.dataSource.query(
      `SELECT ip, api_key_id, data FROM audit_events WHERE type = 'auth.failed' AND ip = '${ip}' ORDER BY id`,
    );

  it('writes one event per address and minute, counting the failures', async () => {
    for (let i = 0; i < 5; i += 1) await token('203.0.113.30', `made-up-key-id-${i}`).expect(401);
    await token('203.0.113.31', 'made-up-key-id-x').expect(401);
    await token('203.0.113.31', 'made-up-key-id-y').expect(401);

    const first = await failedRows('203.0.113.30');
    expect(first).toHaveLength(1);
    expect(first[0].api_key_id).toBeNull();
    expect(JSON.parse(first[0].data)).toEqual({ reason: 'unknown_api_key', count: 5 });
    const second = await failedRows('203.0.113.31');
    expect(second.map((row) => JSON.parse(row.data))).toEqual([
      { reason: 'unknown_api_key', count: 2 },
    ]);
  });

  it('counts concurrent failures exactly, OAuth client authentication included', async () => {
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        token('203.0.113.32', `made-up-key-id-c${i}`).expect(401),
      ),
    );
    await t.http
      .post('/oauth/token')
      .set('x-forwarded-for', '203.0.113.32')
      .type('form')
      .send({ grant_type: 'client_credentials', client_id: 'madeupclient01', client_secret: 'x' })
      .expect(401);
    const rows = await failedRows('203.0.113.32');
    expect(rows.map((row) => JSON.parse(row.data))).toEqual([
      { reason: 'unknown_api_key', count: 9 },
    ]);
  });

  it('keeps one event per failure for a known key', async () => {
    const admin = (await adminTokens(t.http)).access_token;
    const user = await registeredUser(t.http, admin);
    for (let i = 0; i < 3; i += 1) await token('203.0.113.33', user.apiKeyId).expect(401);
    const rows = await failedRows('203.0.113.33');
    expect(rows).toHaveLength(3);
    expect(rows.every((row) => row.api_key_id === user.apiKeyId)).toBe(true);
    expect(JSON.parse(rows[0].data)).toEqual({ reason: 'wrong_secret' });
  });
});
