import { randomBytes } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { TypeOrmModule } from '@nestjs/typeorm';
import request from 'supertest';
import type { DataSourceOptions } from 'typeorm';
import { AuthModule, SECURITY_EVENT_TYPES, type SecurityEvent } from '../../libs/auth/src';
import { AuditService } from '../../libs/auth/src/audit/audit.service';
import { buildDataSourceOptions } from '../../src/config/database';
import { loadDatabaseConfig } from '../../src/config/env';
import { initializeWithMigrations } from '../../src/config/migrations';
import { adminTokens, bearer, exchange, refresh, registeredUser } from '../support/factories';
import {
  ADMIN_KEY_ID,
  ADMIN_KEY_SECRET,
  startTestApp,
  TEST_ISSUER,
  type TestApp,
} from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { WebhookReceiver } from '../support/webhook-receiver';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

/** Every security event in the audit log: what must reach the webhook. */
async function securityEventIds(t: TestApp): Promise<string[]> {
  const list = SECURITY_EVENT_TYPES.map((type) => `'${type}'`).join(', ');
  const rows: Array<{ id: string }> = await t.dataSource.query(
    `SELECT id FROM audit_events WHERE type IN (${list}) ORDER BY id`,
  );
  return rows.map((row) => row.id);
}

describe('Security events to a webhook', () => {
  let db: TestDatabase;
  const receiver = new WebhookReceiver(SECRET);
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase();
    env = {
      WEBHOOK_URL: await receiver.start(),
      WEBHOOK_SECRET: SECRET,
      // One-second retries, so the test waits seconds rather than minutes.
      WEBHOOK_RETRY_SCHEDULE: '1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1',
    };
  });
  afterAll(async () => {
    await receiver.close();
    await db.drop();
  });

  it('are signed, survive a failing receiver and a restart, and arrive once per event id', async () => {
    receiver.failing = true;
    let t = await startTestApp({ db, env });
    // Registered as a consumer before it serves, so that its first events are copied.
    const [instance] = await consumerIds(t);
    expect(instance).toEqual(expect.any(String));
    const admin = await adminTokens(t.http);
    // api_key.created (registration) and, for a second key, created then revoked.
    const user = await registeredUser(t.http, admin.access_token);
    const key = await t.http
      .post(`/api-users/${user.apiUserId}/api-keys`)
      .set(bearer(admin.access_token))
      .expect(201);
    await exchange(t.http, key.body.api_key_id, key.body.api_key_secret);
    await t.http
      .delete(`/api-users/${user.apiUserId}/api-keys/${key.body.api_key_id}`)
      .set(bearer(admin.access_token))
      .expect(204);
    // refresh_token.reused and session.revoked, in this order, for one session.
    const pair = await exchange(t.http, user.apiKeyId, user.apiKeySecret);
    await refresh(t.http, pair.refresh_token).expect(200);
    await refresh(t.http, pair.refresh_token).expect(401);
    // api_user.suspended (and its sessions revoked), a signing key rotated.
    await exchange(t.http, user.apiKeyId, user.apiKeySecret);
    await t.http
      .patch(`/api-users/${user.apiUserId}`)
      .set(bearer(admin.access_token))
      .send({ status: 'suspended' })
      .expect(200);
    await t.http.post('/keys/rotate').set(bearer(admin.access_token)).expect(201);

    const expected = await securityEventIds(t);
    const types = new Set(
      (
        await t.dataSource.query(
          `SELECT DISTINCT type FROM audit_events WHERE id IN (${expected.map((id) => `'${id}'`).join(',')})`,
        )
      ).map((row: { type: string }) => row.type),
    );
    expect([...types].sort()).toEqual(
      [
        'api_key.created',
        'api_key.revoked',
        'api_user.suspended',
        'refresh_token.reused',
        'session.revoked',
        'signing_key.rotated',
      ].sort(),
    );
    // The receiver is down: the events are tried, and tried again.
    await receiver.waitFor(
      () => receiver.deliveries.filter((d) => d.id === expected[0]).length >= 2,
    );
    expect(receiver.accepted()).toEqual([]);

    // A restart while the receiver is still down, then it comes back.
    await t.close();
    t = await startTestApp({ db, env });
    // The stopped instance's row stays (events written while it was away were still copied).
    expect(await consumerIds(t)).toContain(instance);
    expect(await consumerIds(t)).toHaveLength(2);
    receiver.failing = false;
    try {
      await receiver.waitFor(
        () => new Set(receiver.accepted().map((d) => d.id)).size === expected.length,
      );
      const accepted = receiver.accepted();
      // Every event, once; every request signed; nothing left in the outbox.
      expect(accepted.map((d) => d.id).sort()).toEqual([...expected].sort());
      expect(receiver.deliveries.every((d) => d.verified)).toBe(true);
      // The receiver records a delivery before it answers: the relay deletes the row after.
      const outbox = () => t.dataSource.query('SELECT id FROM security_event_outbox');
      for (let i = 0; i < 100 && (await outbox()).length > 0; i++)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await outbox()).toEqual([]);
      // The body: Standard Webhooks' shape, with the event's subject.
      const reuse = accepted.find((d) => d.type === 'refresh_token.reused');
      expect(reuse?.body).toEqual({
        id: reuse?.id,
        type: 'refresh_token.reused',
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        data: expect.objectContaining({
          api_user_id: user.apiUserId,
          session_id: expect.any(String),
          api_key_id: user.apiKeyId,
        }),
      });
      // In order per session: the reuse before the revocation it caused.
      const bySession = new Map<string, string[]>();
      for (const delivery of accepted) {
        const session = (delivery.body.data as { session_id: string | null }).session_id;
        if (session) bySession.set(session, [...(bySession.get(session) ?? []), delivery.id]);
      }
      for (const ids of bySession.values()) expect(ids).toEqual([...ids].sort());
      const reusedSession = (reuse?.body.data as { session_id: string }).session_id;
      expect(
        bySession.get(reusedSession)?.map((id) => accepted.find((d) => d.id === id)?.type),
      ).toEqual(['refresh_token.reused', 'session.revoked']);
      // No secret travels in an event.
      const bodies = JSON.stringify(accepted.map((d) => d.body));
      for (const secret of [user.apiKeySecret, key.body.api_key_secret, pair.refresh_token])
        expect(bodies).not.toContain(secret);
    } finally {
      await t.close();
    }
  });

  it('refuses a webhook without a usable secret at start, naming the variable only', () =>
    expect(
      startTestApp({ env: { WEBHOOK_URL: 'https://hooks.example/x', WEBHOOK_SECRET: 'short' } }),
    ).rejects.toThrow(/WEBHOOK_SECRET must be set with WEBHOOK_URL/));
});

describe('Security events to host code (onSecurityEvent)', () => {
  it('reaches a host handler at least once, a failing call retried', async () => {
    const db = await createTestDatabase();
    const received: SecurityEvent[] = [];
    let failuresLeft = 1;
    const moduleRef = await Test.createTestingModule({
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => buildDataSourceOptions(loadDatabaseConfig(db.env)),
          dataSourceFactory: (options) => initializeWithMigrations(options as DataSourceOptions),
        }),
        AuthModule.forRoot({
          issuer: TEST_ISSUER,
          keyEncryptionSecret: 'host-key-encryption-secret-0123456789-abcdef',
          bootstrapAdmin: { apiKeyId: ADMIN_KEY_ID, apiKeySecret: ADMIN_KEY_SECRET },
          securityEventRetryScheduleSeconds: [1, 1, 1],
          onSecurityEvent: (event) => {
            // A host's delivery that fails once: the event comes again.
            if (failuresLeft-- > 0) throw new Error('host queue unavailable');
            received.push(event);
          },
        }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
      logger: false,
    });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    try {
      const http = request(app.getHttpServer());
      const admin = await adminTokens(http);
      const me = await http.get('/api-users/me').set(bearer(admin.access_token)).expect(200);
      const key = await http
        .post(`/api-users/${me.body.id}/api-keys`)
        .set(bearer(admin.access_token))
        .expect(201);
      const deadline = Date.now() + 15_000;
      while (!received.some((event) => event.data.api_key_id === key.body.api_key_id)) {
        if (Date.now() > deadline) throw new Error(`not received: ${JSON.stringify(received)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(received.find((event) => event.data.api_key_id === key.body.api_key_id)).toEqual({
        id: expect.any(String),
        type: 'api_key.created',
        timestamp: expect.any(String),
        data: expect.objectContaining({ api_user_id: me.body.id }),
      });
      expect(failuresLeft).toBeLessThan(0);
    } finally {
      await app.close();
      await db.drop();
    }
  });
});

/** The outbox's event ids, oldest first. */
async function outboxIds(t: TestApp): Promise<string[]> {
  const rows: Array<{ id: string }> = await t.dataSource.query(
    'SELECT id FROM security_event_outbox ORDER BY id',
  );
  return rows.map((row) => row.id);
}

/** Another instance's consumer row, as that instance's relay keeps it. */
async function addConsumer(t: TestApp, instanceId: string, seenAt: number): Promise<void> {
  const p = t.db.kind === 'postgres' ? ['$1', '$2'] : ['?', '?'];
  await t.dataSource.query(
    `INSERT INTO security_event_consumers (instance_id, seen_at) VALUES (${p[0]}, ${p[1]})`,
    [instanceId, seenAt],
  );
}

async function consumerIds(t: TestApp): Promise<string[]> {
  const rows: Array<{ instance_id: string }> = await t.dataSource.query(
    'SELECT instance_id FROM security_event_consumers ORDER BY instance_id',
  );
  return rows.map((row) => row.instance_id);
}

/** Creates `n` API keys for the admin: an `api_key.created` security event each. */
async function createKeys(t: TestApp, n: number): Promise<void> {
  const admin = await adminTokens(t.http);
  const me = await t.http.get('/api-users/me').set(bearer(admin.access_token)).expect(200);
  for (let i = 0; i < n; i += 1)
    await t.http
      .post(`/api-users/${me.body.id}/api-keys`)
      .set(bearer(admin.access_token))
      .expect(201);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Security events with nowhere to go', () => {
  it('are not copied to the outbox while no instance delivers them', async () => {
    const t = await startTestApp();
    const audit = t.app.get(AuditService);
    // Recorded as the server records any event, in a transaction that then reads the outbox,
    // so that no relay pass can have dropped a copy before the read.
    const recordAndReadOutbox = (sessionId: string) =>
      t.dataSource.transaction(async (manager) => {
        await audit.record(manager, { type: 'session.revoked', sessionId });
        await audit.record(manager, { type: 'token.issued', sessionId });
        return manager.query<{ type: string; session_id: string }[]>(
          'SELECT type, session_id FROM security_event_outbox',
        );
      });
    try {
      expect(await consumerIds(t)).toEqual([]);
      expect(await recordAndReadOutbox('0190a000-0000-7000-8000-000000000001')).toEqual([]);
      // With a consumer registered, the security event is copied (and only it).
      await addConsumer(t, 'another-instance', Date.now());
      expect(await recordAndReadOutbox('0190a000-0000-7000-8000-000000000002')).toEqual([
        { type: 'session.revoked', session_id: '0190a000-0000-7000-8000-000000000002' },
      ]);
    } finally {
      await t.dispose();
    }
  });

  it('are left to the instance that delivers them, and dropped once no instance does', async () => {
    const db = await createTestDatabase();
    let t = await startTestApp({ db });
    try {
      const day = 24 * 3600 * 1000;
      await addConsumer(t, 'delivering-instance', Date.now());
      await addConsumer(t, 'instance-gone-a-day', Date.now() - day - 60_000);
      await createKeys(t, 3);
      const copied = await outboxIds(t);
      expect(copied.length).toBeGreaterThanOrEqual(3);
      // Two of this instance's relay passes (one a second): the rows are not its to drop.
      await sleep(2500);
      expect(await outboxIds(t)).toEqual(copied);
      // A restart removes the consumer unseen for longer than events are kept (24 h), not the other.
      await t.close();
      t = await startTestApp({ db });
      expect(await consumerIds(t)).toEqual(['delivering-instance']);
      expect(await outboxIds(t)).toEqual(copied);
      // Once no instance delivers, what is left is dropped.
      await t.dataSource.query('DELETE FROM security_event_consumers');
      for (let i = 0; i < 100 && (await outboxIds(t)).length > 0; i++) await sleep(50);
      expect(await outboxIds(t)).toEqual([]);
    } finally {
      await t.dispose();
    }
  });
});
