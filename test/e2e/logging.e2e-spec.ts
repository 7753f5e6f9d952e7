import type { LoggerService } from '@nestjs/common';
import { ADMIN_KEY_ID, ADMIN_KEY_SECRET, startTestApp, type TestApp } from '../support/test-app';
import { adminTokens, bearer, registeredUser } from '../support/factories';

/** Records every log line the server writes, at every level. */
class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  private record(level: string, message: unknown, rest: unknown[]): void {
    this.lines.push(
      `${level} ${[message, ...rest].map((part) => (part instanceof Error ? `${part.message}\n${part.stack}` : String(part))).join(' ')}`,
    );
  }
  log(message: unknown, ...rest: unknown[]) {
    this.record('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]) {
    this.record('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]) {
    this.record('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]) {
    this.record('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]) {
    this.record('verbose', message, rest);
  }
}

describe('Logs', () => {
  let t: TestApp;
  const logger = new CapturingLogger();

  beforeAll(async () => {
    t = await startTestApp({ logger });
  });
  afterAll(() => t.dispose());

  it('never carry secrets, tokens, SQL or stack traces, even when requests fail unexpectedly', async () => {
    const secrets = [ADMIN_KEY_SECRET];
    const admin = await adminTokens(t.http);
    secrets.push(admin.access_token, admin.refresh_token);
    const user = await registeredUser(t.http, admin.access_token);
    secrets.push(user.apiKeySecret);
    await t.http
      .post('/auth/token')
      .send({ api_key_id: ADMIN_KEY_ID, api_key_secret: 'a-wrong-secret' })
      .expect(401);
    secrets.push('a-wrong-secret');
    await t.http
      .get('/api-users/me?token=query-secret')
      .set(bearer('forged.token.value'))
      .expect(401);
    secrets.push('query-secret', 'forged.token.value');

    // An unexpected failure deep in a request: the database goes away.
    await t.dataSource.destroy();
    await t.http
      .get(`/api-users/${user.apiUserId}?token=query-secret`)
      .set(bearer(admin.access_token))
      .expect(500);
    await t.http
      .post('/auth/token')
      .send({ api_key_id: ADMIN_KEY_ID, api_key_secret: ADMIN_KEY_SECRET })
      .expect(500);

    const log = logger.lines.join('\n');
    // The failure was logged (so this test reads real log output) ...
    expect(log).toMatch(/unexpected \w+.* on GET \/api-users\//);
    // ... without anything it must not carry.
    for (const secret of secrets) expect(log).not.toContain(secret);
    expect(log).not.toMatch(
      /\bSELECT\b.*\bFROM\b|\bINSERT INTO\b|\bUPDATE\b.*\bSET\b|\bDELETE FROM\b/i,
    );
    expect(log).not.toMatch(/\n\s+at /);
  });
});
