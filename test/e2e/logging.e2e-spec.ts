import { ADMIN_KEY_ID, ADMIN_KEY_SECRET, startTestApp, type TestApp } from '../support/test-app';
import {
  adminTokens,
  bearer,
  clientSecretOf,
  exchange,
  refresh,
  uniqueName,
} from '../support/factories';
import { LogLines } from '../support/log-lines';
import { buildServer, killServerProcesses, startServerProcess } from '../support/server-process';
import { createTestDatabase } from '../support/test-database';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('Logs (JSON lines through pino)', () => {
  let t: TestApp;
  const logs = new LogLines();

  beforeAll(async () => {
    t = await startTestApp({ logDestination: logs });
  });
  afterAll(() => t.dispose());

  it('every line is JSON with time, level and msg; a request gets one access line', async () => {
    const admin = await adminTokens(t.http);
    const answer = await t.http
      .get('/api-users/me')
      .set(bearer(admin.access_token))
      .set('X-Request-Id', 'edge-proxy-id-42')
      .expect(200);
    expect(answer.headers['x-request-id']).toBe('edge-proxy-id-42');

    for (const line of logs.parsed()) {
      expect(line).toEqual(
        expect.objectContaining({
          time: expect.any(Number),
          level: expect.stringMatching(/^(trace|debug|info|warn|error|fatal)$/),
          msg: expect.any(String),
        }),
      );
    }
    const lines = logs.requests().filter((line) => line.req_id === 'edge-proxy-id-42');
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'info',
        method: 'GET',
        route: '/api-users/me',
        status: 200,
        duration_ms: expect.any(Number),
        ip: expect.stringMatching(/127\.0\.0\.1/),
        api_user_id: answer.body.id,
        session_id: expect.any(String),
      }),
    ]);
  });

  it('generates the request id when none (or no id-like one) is given, and echoes it', async () => {
    const generated = await t.http.get('/health/live').expect(200);
    expect(generated.headers['x-request-id']).toMatch(UUID);
    const junk = await t.http
      .get('/health/live')
      .set('X-Request-Id', 'no spaces or "quotes" in an id')
      .expect(200);
    expect(junk.headers['x-request-id']).toMatch(UUID);
    const ids = logs.requests().map((line) => line.req_id);
    expect(ids).toContain(generated.headers['x-request-id']);
    expect(ids).toContain(junk.headers['x-request-id']);
    // An unmatched path is logged without its raw URL.
    await t.http.get('/no/such/path?token=abc').expect(404);
    expect(logs.requests().at(-1)).toMatchObject({ route: null, status: 404 });
    expect(logs.raw.join('\n')).not.toContain('/no/such/path');
  });

  it('a line logged while serving a request carries its req_id (reuse detection)', async () => {
    const pair = await exchange(t.http, ADMIN_KEY_ID, ADMIN_KEY_SECRET);
    await refresh(t.http, pair.refresh_token).expect(200);
    await t.http
      .post('/auth/token/refresh')
      .set('X-Request-Id', 'the-replay')
      .send({ refresh_token: pair.refresh_token })
      .expect(401);
    const warning = logs.parsed().find((line) => /reuse detected/.test(String(line.msg)));
    expect(warning).toMatchObject({ level: 'warn', req_id: 'the-replay' });
  });

  it('never carries a token, secret, Authorization header, body, SQL or stack trace', async () => {
    const secrets = [ADMIN_KEY_SECRET];
    const admin = await adminTokens(t.http);
    secrets.push(admin.access_token, admin.refresh_token);
    // A full flow: a user created and registered, a second key, tokens, a rotation, a client,
    // an OAuth refresh, a wrong secret and a forged token.
    const created = await t.http
      .post('/api-users')
      .set(bearer(admin.access_token))
      .send({ name: uniqueName(), role: 'operator' })
      .expect(201);
    secrets.push(created.body.registration_token);
    const registered = await t.http
      .post('/api-users/register')
      .send({ registration_token: created.body.registration_token })
      .expect(201);
    secrets.push(registered.body.api_key_secret);
    const userId = registered.body.api_user_id as string;
    const key = await t.http
      .post(`/api-users/${userId}/api-keys`)
      .set(bearer(admin.access_token))
      .expect(201);
    secrets.push(key.body.api_key_secret);
    const tokens = await exchange(t.http, key.body.api_key_id, key.body.api_key_secret);
    secrets.push(tokens.access_token, tokens.refresh_token);
    const rotated = (await refresh(t.http, tokens.refresh_token).expect(200)).body;
    secrets.push(rotated.access_token, rotated.refresh_token);
    secrets.push(await clientSecretOf(t.http, admin.access_token));
    const viaOAuth = await t.http
      .post('/oauth/token')
      .type('form')
      .auth(key.body.api_key_id, key.body.api_key_secret)
      .send({ grant_type: 'refresh_token', refresh_token: rotated.refresh_token })
      .expect(200);
    secrets.push(viaOAuth.body.access_token, viaOAuth.body.refresh_token);
    await t.http
      .post('/auth/token')
      .send({ api_key_id: ADMIN_KEY_ID, api_key_secret: 'a-wrong-secret-0123456789' })
      .expect(401);
    secrets.push('a-wrong-secret-0123456789');
    await t.http
      .get('/api-users/me?token=query-secret-0123')
      .set(bearer('forged.token.value'))
      .expect(401);
    secrets.push('query-secret-0123', 'forged.token.value');

    // An unexpected failure deep in a request: the database goes away.
    await t.dataSource.destroy();
    await t.http
      .get(`/api-users/${userId}?token=query-secret-0123`)
      .set(bearer(admin.access_token))
      .set('X-Request-Id', 'the-failure')
      .expect(500);
    await t.http
      .post('/auth/token')
      .send({ api_key_id: ADMIN_KEY_ID, api_key_secret: ADMIN_KEY_SECRET })
      .expect(500);

    const parsed = logs.parsed();
    // The failure was logged, in the failing request's context (so this reads real output) ...
    expect(parsed).toContainEqual(
      expect.objectContaining({
        level: 'error',
        req_id: 'the-failure',
        msg: expect.stringMatching(/unexpected \w+.* on GET \/api-users\//),
      }),
    );
    // ... and every line of the whole flow is free of what it must not carry.
    const text = logs.raw.join('\n');
    expect(secrets.every((secret) => typeof secret === 'string' && secret.length >= 16)).toBe(true);
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(logs.raw.filter((line) => /"authorization"|bearer [a-z0-9]/i.test(line))).toEqual([]);
    expect(text).not.toMatch(
      /\bSELECT\b.*\bFROM\b|\bINSERT INTO\b|\bUPDATE\b.*\bSET\b|\bDELETE FROM\b/i,
    );
    for (const line of parsed) {
      expect(line).not.toHaveProperty('stack');
      expect(line).not.toHaveProperty('body');
      expect(JSON.stringify(line)).not.toMatch(/\\n\s+at /);
    }
  });
});

describe('LOG_LEVEL', () => {
  it('warn: no access lines; silent: nothing at all, and no request id is added', async () => {
    const warnings = new LogLines();
    const quiet = await startTestApp({ env: { LOG_LEVEL: 'warn' }, logDestination: warnings });
    try {
      await quiet.http.get('/health/live').expect(200);
      await adminTokens(quiet.http);
      expect(warnings.requests()).toEqual([]);
      expect(
        warnings.parsed().every((line) => line.level === 'warn' || line.level === 'error'),
      ).toBe(true);
    } finally {
      await quiet.dispose();
    }
    const nothing = new LogLines();
    const silent = await startTestApp({ env: { LOG_LEVEL: 'silent' }, logDestination: nothing });
    try {
      const answer = await silent.http.get('/health/live').expect(200);
      expect(answer.headers['x-request-id']).toBeUndefined();
      await adminTokens(silent.http);
      expect(nothing.raw).toEqual([]);
    } finally {
      await silent.dispose();
    }
  });

  it('LOG_FORMAT=pretty writes lines for people, not JSON', async () => {
    const pretty = new LogLines();
    const app = await startTestApp({ env: { LOG_FORMAT: 'pretty' }, logDestination: pretty });
    try {
      await app.http.get('/health/live').set('X-Request-Id', 'pretty-1').expect(200);
      const line = pretty.raw.find((text) => text.includes('request completed'));
      expect(line).toMatch(/INFO.*request completed/);
      expect(() => JSON.parse(line ?? '{}')).toThrow();
      expect(pretty.raw.join('\n')).toContain('pretty-1');
    } finally {
      await app.dispose();
    }
  });
});

describe('The server process', () => {
  afterAll(killServerProcesses);

  it('writes nothing but JSON lines, from the migrations of a new database to shutdown', async () => {
    await buildServer();
    const db = await createTestDatabase();
    try {
      const server = await startServerProcess(db.env);
      const base = `http://127.0.0.1:${server.port}`;
      const answer = await fetch(`${base}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'process-1' },
        body: JSON.stringify({ api_key_id: ADMIN_KEY_ID, api_key_secret: ADMIN_KEY_SECRET }),
      });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-request-id')).toBe('process-1');
      server.child.kill('SIGTERM');
      expect(await server.exited).toEqual({ code: 0, signal: null });
      const lines = server
        .output()
        .split('\n')
        .filter((line) => line !== '');
      const parsed = lines.map((line) => {
        try {
          return JSON.parse(line) as Record<string, unknown>;
        } catch {
          throw new Error(`not a JSON log line: ${line}`);
        }
      });
      expect(parsed).toContainEqual(
        expect.objectContaining({ req_id: 'process-1', route: '/auth/token', status: 200 }),
      );
      expect(parsed).toContainEqual(
        expect.objectContaining({ msg: expect.stringMatching(/^ready in/) }),
      );
    } finally {
      await db.drop();
    }
  });
});
