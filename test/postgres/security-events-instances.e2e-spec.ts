import { randomBytes } from 'node:crypto';
import { adminTokens, bearer, registeredUser } from '../support/factories';
import { startTestApp } from '../support/test-app';
import { createTestDatabase } from '../support/test-database';
import { WebhookReceiver } from '../support/webhook-receiver';

describe('Security events with two instances on one PostgreSQL database', () => {
  it('each event is delivered once, never by both instances at the same time', async () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const receiver = new WebhookReceiver(secret);
    const env = {
      WEBHOOK_URL: await receiver.start(),
      WEBHOOK_SECRET: secret,
      WEBHOOK_RETRY_SCHEDULE: '1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1',
    };
    const db = await createTestDatabase('postgres');
    // A backlog first (the receiver is down), then a slow receiver: both relays are busy
    // with the same rows' neighbours for a while.
    receiver.failing = true;
    receiver.delayMs = 100;
    const [a, b] = await Promise.all([startTestApp({ db, env }), startTestApp({ db, env })]);
    try {
      const admin = (await adminTokens(a.http)).access_token;
      const user = await registeredUser(a.http, admin);
      for (let i = 0; i < 40; i += 1) {
        const instance = i % 2 === 0 ? a : b;
        await instance.http
          .post(`/api-users/${user.apiUserId}/api-keys`)
          .set(bearer(admin))
          .expect(201);
      }
      const rows: Array<{ id: string }> = await a.dataSource.query(
        `SELECT id FROM audit_events WHERE type = 'api_key.created' ORDER BY id`,
      );
      expect(rows.length).toBe(42);
      await receiver.waitFor(() => receiver.deliveries.length >= 10);
      receiver.failing = false;
      await receiver.waitFor(
        () => new Set(receiver.accepted().map((d) => d.id)).size === rows.length,
        60_000,
      );
      const accepted = receiver.accepted().map((d) => d.id);
      expect(accepted.sort()).toEqual(rows.map((row) => row.id).sort());
      // Never the same event in flight twice: the claims kept the instances apart.
      expect(receiver.maxInFlightPerId).toBe(1);
      expect(receiver.deliveries.every((d) => d.verified)).toBe(true);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await receiver.close();
      await db.drop();
    }
  });
});
