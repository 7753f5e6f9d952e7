import {
  adminTokens,
  bearer,
  clientSecretOf,
  loggedInOperator,
  walletTokens,
} from '../support/factories';
import { SigningKeyLifecycleService } from '../../libs/auth/src';
import { SigningKeysService } from '../../libs/auth/src/keys/signing-keys.service';
import { decodeJwt } from '../support/jwt';
import { ageActiveKey, keyWithStatus, msUntil } from '../support/signing-keys';
import { startTestApp, type TestApp } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const kidOf = (token: string) => decodeJwt(token).header.kid as string;

async function statusCounts(t: TestApp): Promise<Record<string, number>> {
  const rows: Array<{ status: string; n: string | number }> = await t.dataSource.query(
    'SELECT status, COUNT(*) AS n FROM signing_keys GROUP BY status',
  );
  return Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]));
}

describe('Signing keys across two instances on one PostgreSQL database', () => {
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    // Started together: they must agree on one active key and one next key.
    [a, b] = await Promise.all([startTestApp({ db }), startTestApp({ db })]);
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    await db.drop();
  });

  it('instances starting together make one active key and one next key', async () => {
    expect(await statusCounts(a)).toEqual({ active: 1, next: 1 });
  });

  it('a rotation on one instance is used by the other for new tokens within 1.5 s', async () => {
    const admin = (await adminTokens(a.http)).access_token;
    const rotated = (await a.http.post('/keys/rotate').set(bearer(admin)).expect(201)).body.kid;
    const elapsed = await msUntil(
      async () => kidOf((await adminTokens(b.http)).access_token) === rotated,
    );
    expect(elapsed).toBeLessThan(1500);
  });

  it("a revocation on one instance refuses the key's access and wallet tokens on the other within 1.5 s", async () => {
    const admin = (await adminTokens(b.http)).access_token;
    const operator = await loggedInOperator(b.http, admin);
    const clientSecret = await clientSecretOf(b.http, admin);
    const wallet = await walletTokens(b.http, operator.tokens.refresh_token, clientSecret);
    // Verified once on b, so its bearer cache holds the access token.
    await b.http.get('/api-users/me').set(bearer(operator.tokens.access_token)).expect(200);
    const signer = kidOf(operator.tokens.access_token);
    expect(kidOf(wallet.walletToken)).toBe(signer);

    const otherAdmin = (await adminTokens(a.http)).access_token;
    await a.http.post(`/keys/${signer}/revoke`).set(bearer(otherAdmin)).expect(200);
    const elapsed = await msUntil(
      async () =>
        (await b.http.get('/api-users/me').set(bearer(operator.tokens.access_token))).status ===
        401,
    );
    expect(elapsed).toBeLessThan(1500);
    // By now b has the new set: the unused wallet token is refused too.
    await b.http.post('/api/v2/wallet/operation').set(bearer(wallet.walletToken)).expect(401);
    const jwks = (await b.http.get('/.well-known/jwks.json').expect(200)).body.keys;
    expect(jwks.map((key: { kid: string }) => key.kid)).not.toContain(signer);
  });

  it('simultaneous rotations on both instances always leave exactly one active key', async () => {
    const adminA = (await adminTokens(a.http)).access_token;
    const adminB = (await adminTokens(b.http)).access_token;
    for (let round = 0; round < 5; round += 1) {
      const responses = await Promise.all(
        [a, b, a, b].map((t, i) =>
          t.http.post('/keys/rotate').set(bearer(i % 2 === 0 ? adminA : adminB)),
        ),
      );
      expect(responses.map((response) => response.status)).toEqual([201, 201, 201, 201]);
      // Each rotation activated a different key: none was lost or applied twice.
      expect(new Set(responses.map((response) => response.body.kid)).size).toBe(4);
      const counts = await statusCounts(a);
      expect(counts.active).toBe(1);
      expect(counts.next).toBe(1);
    }
  });

  it('the database itself refuses a second active key', async () => {
    const next = await keyWithStatus(a.http, (await adminTokens(a.http)).access_token, 'next');
    await expect(
      a.dataSource.query(`UPDATE signing_keys SET status = 'active' WHERE kid = $1`, [next.kid]),
    ).rejects.toThrow(/unique/i);
  });

  it('an overdue key is rotated once, whichever instances notice it', async () => {
    const [c, d] = await Promise.all([
      startTestApp({ db, env: { SIGNING_KEY_ROTATION_DAYS: '7' } }),
      startTestApp({ db, env: { SIGNING_KEY_ROTATION_DAYS: '7' } }),
    ]);
    try {
      const before: Array<{ n: string | number }> = await c.dataSource.query(
        `SELECT COUNT(*) AS n FROM audit_events WHERE type = 'signing_key.rotated'`,
      );
      await ageActiveKey(c.dataSource, 8);
      // Both instances see the overdue key and check at the same moment, as their timers may.
      const instances = [c, d];
      await Promise.all(instances.map((t) => t.app.get(SigningKeysService).reload()));
      await Promise.all(
        instances.map((t) => {
          // The check the timer runs (private): called directly to make the two coincide.
          const lifecycle: unknown = t.app.get(SigningKeyLifecycleService);
          return (lifecycle as { rotateIfDue(): Promise<void> }).rotateIfDue();
        }),
      );
      // And their timers have had time to look again.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const after: Array<{ n: string | number }> = await c.dataSource.query(
        `SELECT COUNT(*) AS n FROM audit_events WHERE type = 'signing_key.rotated'`,
      );
      expect(Number(after[0].n)).toBe(Number(before[0].n) + 1);
      expect((await statusCounts(c)).active).toBe(1);
    } finally {
      await Promise.all([c.close(), d.close()]);
    }
  });
});
