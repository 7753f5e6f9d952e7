import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { bearer, exchange, refresh } from '../support/factories';
import { buildServer, killServerProcesses, startServerProcess } from '../support/server-process';
import { startTestApp, TEST_ISSUER } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * The admin command line (`auth-admin`, the package's bin), run as an operator runs it: the
 * built dist/src/cli/main.js as a child process, on a fresh database of the project's kind,
 * with the server's environment variables and no server running (unless a test starts one).
 */
const CLI_MAIN = join(__dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');
const OLD_SECRET = 'old-key-encryption-secret-for-the-cli-0123456789';
const NEW_SECRET = 'new-key-encryption-secret-for-the-cli-9876543210';
/** The server's own bootstrap admin is off: the CLI makes the admins here. */
const NO_ENV_ADMIN = { BOOTSTRAP_ADMIN_KEY_ID: '', BOOTSTRAP_ADMIN_KEY_SECRET: '' };

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function cli(db: TestDatabase, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_MAIN, ...args], {
      env: { PATH: process.env.PATH, ISSUER_URL: TEST_ISSUER, ...db.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
}

/** Exit 0, nothing on stderr, and stdout one JSON document. */
async function json<T = Record<string, unknown>>(
  db: TestDatabase,
  args: string[],
  env?: Record<string, string>,
): Promise<T> {
  const run = await cli(db, [...args, '--json'], env);
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(run.stdout) as T;
}

/** Exit 1, nothing on stdout, one line on stderr: no stack trace, no SQL. */
function expectRefusal(run: Run, message: RegExp): void {
  expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 1, stdout: '' });
  expect(run.stderr.endsWith('\n')).toBe(true);
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(/^error: /);
  expect(run.stderr).toMatch(message);
  expect(run.stderr).not.toMatch(/\bat .+:\d+|SELECT|INSERT|UPDATE /);
}

interface CreatedAdmin {
  api_user: { id: string; name: string; role: string; status: string };
  api_key_id: string;
  api_key_secret: string;
}

const MISSING_USER = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

describe('Admin command line (auth-admin)', () => {
  let db: TestDatabase;

  beforeAll(() => buildServer(), 300_000);
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    killServerProcesses();
    await db.drop();
  });

  it('bootstrap-admin makes an admin whose key gets tokens from the server, once', async () => {
    const admin = await json<CreatedAdmin>(db, ['bootstrap-admin']);
    expect(admin.api_user).toMatchObject({ name: 'admin', role: 'admin', status: 'active' });
    expect(admin.api_key_secret.length).toBeGreaterThanOrEqual(32);

    // Once: a second run is refused, unless --another (with its own name).
    expectRefusal(await cli(db, ['bootstrap-admin']), /admin exists already/);
    expectRefusal(await cli(db, ['bootstrap-admin', '--another']), /name already exists/);
    const second = await cli(db, ['bootstrap-admin', '--another', '--name', 'second admin']);
    expect(second).toMatchObject({ code: 0, stderr: '' });
    expect(second.stdout).toMatch(/^API key id: +\S+$/m);
    const secret = /^API key secret: +(\S+)$/m.exec(second.stdout)?.[1] ?? '';
    expect(secret.length).toBeGreaterThanOrEqual(32);

    const t = await startTestApp({ db, env: NO_ENV_ADMIN });
    try {
      const tokens = await exchange(t.http, admin.api_key_id, admin.api_key_secret);
      const users = await t.http.get('/api-users').set(bearer(tokens.access_token)).expect(200);
      expect(JSON.stringify(users.body)).toContain(admin.api_user.id);
      const secondId = /^API key id: +(\S+)$/m.exec(second.stdout)?.[1] ?? '';
      await exchange(t.http, secondId, secret);
    } finally {
      await t.close();
    }
  }, 120_000);

  it('the server logs how to create the first admin while none exists', async () => {
    const first = await startServerProcess({ ...db.env, ...NO_ENV_ADMIN });
    first.child.kill('SIGTERM');
    await first.exited;
    const hint = first
      .output()
      .split('\n')
      .filter((line) => line.includes('auth-admin'));
    expect(hint).toHaveLength(1);
    expect(hint[0]).toContain('npx auth-admin bootstrap-admin');

    await json(db, ['bootstrap-admin']);
    const second = await startServerProcess({ ...db.env, ...NO_ENV_ADMIN });
    second.child.kill('SIGTERM');
    await second.exited;
    expect(second.output()).not.toContain('auth-admin');
  }, 120_000);

  it('api-users create, list, suspend and activate', async () => {
    const created = await json<{ id: string; status: string; registration_token: string }>(db, [
      'api-users',
      'create',
      '--name',
      'reporting-bot',
      '--role',
      'operator',
    ]);
    expect(created).toMatchObject({ status: 'pending', role: 'operator', name: 'reporting-bot' });
    expect(created.registration_token.length).toBeGreaterThanOrEqual(32);

    const listed = await json<{ api_users: Array<{ id: string; status: string }> }>(db, [
      'api-users',
      'list',
    ]);
    expect(listed.api_users.map((user) => user.id)).toEqual([created.id]);
    const text = await cli(db, ['api-users', 'list']);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')[0]).toMatch(/^ID +NAME +ROLE +STATUS +CREATED$/);
    expect(text.stdout).toContain(`${created.id}  reporting-bot  operator  pending`);

    expect(await json(db, ['api-users', 'suspend', created.id])).toMatchObject({
      id: created.id,
      status: 'suspended',
    });
    expect(await json(db, ['api-users', 'activate', created.id])).toMatchObject({
      status: 'active',
    });

    expectRefusal(await cli(db, ['api-users', 'suspend', MISSING_USER]), /not_found.*API user/);
    // Not a user id at all: refused before any query (PostgreSQL would reject a non-uuid).
    expectRefusal(await cli(db, ['api-users', 'activate', 'nope']), /not_found.*API user/);
    expectRefusal(await cli(db, ['api-users', 'suspend']), /missing required argument/);
    expectRefusal(
      await cli(db, ['api-users', 'create', '--name', 'x', '--role', 'root']),
      /--role must be one of admin, operator/,
    );
    expectRefusal(
      await cli(db, ['api-users', 'create', '--role', 'operator']),
      /required option '--name <name>'/,
    );
    expectRefusal(
      await cli(db, ['api-users', 'create', '--name', 'reporting-bot', '--role', 'admin']),
      /conflict: An API user with this name already exists/,
    );
  }, 120_000);

  it('api-keys create, list and revoke; sessions revoke --api-user', async () => {
    const admin = await json<CreatedAdmin>(db, ['bootstrap-admin']);
    const userId = admin.api_user.id;
    const key = await json<{ api_key_id: string; api_key_secret: string }>(db, [
      'api-keys',
      'create',
      '--api-user',
      userId,
    ]);
    const keys = await json<{ api_keys: Array<{ api_key_id: string; revoked_at: null }> }>(db, [
      'api-keys',
      'list',
      '--api-user',
      userId,
    ]);
    expect(keys.api_keys.map((k) => k.api_key_id).sort()).toEqual(
      [admin.api_key_id, key.api_key_id].sort(),
    );
    // Listing never shows a secret.
    const listed = await cli(db, ['api-keys', 'list', '--api-user', userId]);
    expect(listed.stdout).not.toContain(key.api_key_secret);
    expect(listed.stdout).not.toContain(admin.api_key_secret);

    const t = await startTestApp({ db, env: NO_ENV_ADMIN });
    try {
      // Two sessions of the admin, ended from the command line while the server runs.
      const one = await exchange(t.http, key.api_key_id, key.api_key_secret);
      const two = await exchange(t.http, admin.api_key_id, admin.api_key_secret);
      expect(await json(db, ['sessions', 'revoke', '--api-user', userId])).toEqual({
        api_user_id: userId,
        sessions_revoked: 2,
      });
      expect((await refresh(t.http, one.refresh_token)).status).toBe(401);
      expect((await refresh(t.http, two.refresh_token)).status).toBe(401);

      expect(await json(db, ['api-keys', 'revoke', key.api_key_id])).toEqual({
        api_key_id: key.api_key_id,
        api_user_id: userId,
        revoked: true,
      });
      await t.http
        .post('/auth/token')
        .send({ api_key_id: key.api_key_id, api_key_secret: key.api_key_secret })
        .expect(401);
      await exchange(t.http, admin.api_key_id, admin.api_key_secret);
    } finally {
      await t.close();
    }
    const after = await json<{ api_keys: Array<{ api_key_id: string; revoked_at: string }> }>(db, [
      'api-keys',
      'list',
      '--api-user',
      userId,
    ]);
    expect(after.api_keys.find((k) => k.api_key_id === key.api_key_id)?.revoked_at).toEqual(
      expect.any(String),
    );

    expectRefusal(await cli(db, ['api-keys', 'revoke', 'no-such-key-0001']), /not_found.*API key/);
    // One id in 64 begins with "-": it is still an operand, not an unknown option or help.
    for (const dashed of [
      '-flVTtWBJp_2hrsZThBLlA',
      '-hVTtWBJp_2hrsZThBLlA',
      '--VTtWBJp_2hrsZThBLl',
    ]) {
      expectRefusal(await cli(db, ['api-keys', 'revoke', dashed, '--json']), /not_found.*API key/);
    }
    expectRefusal(
      await cli(db, ['api-keys', 'create', '--api-user', MISSING_USER]),
      /not_found.*API user/,
    );
    expectRefusal(
      await cli(db, ['sessions', 'revoke', '--api-user', MISSING_USER]),
      /not_found.*API user/,
    );
    expectRefusal(await cli(db, ['sessions', 'revoke']), /required option '--api-user <id>'/);
  }, 120_000);

  it('api-keys create takes a name, scopes, an expiry and an allow-list, checked as the API checks them', async () => {
    const admin = await json<CreatedAdmin>(db, ['bootstrap-admin']);
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const created = await json(db, [
      'api-keys',
      'create',
      '--api-user',
      admin.api_user.id,
      '--name',
      'nightly-report',
      '--scopes',
      'reports:read, reports:write',
      '--expires-at',
      expiresAt,
      '--allowed-cidrs',
      '203.0.113.0/24,2001:DB8::/32',
    ]);
    expect(created).toMatchObject({
      api_user_id: admin.api_user.id,
      name: 'nightly-report',
      scopes: ['reports:read', 'reports:write'],
      expires_at: expiresAt,
      allowed_cidrs: ['203.0.113.0/24', '2001:db8::/32'],
      api_key_secret: expect.any(String),
    });
    const listed = await cli(db, ['api-keys', 'list', '--api-user', admin.api_user.id]);
    expect(listed.stdout).toContain('nightly-report');
    expect(listed.stdout).toContain(expiresAt);

    const create = (...flags: string[]) =>
      cli(db, ['api-keys', 'create', '--api-user', admin.api_user.id, ...flags]);
    expectRefusal(
      await create('--allowed-cidrs', '10.0.0.0/8,999.1.1.1/8'),
      /validation_failed: allowed_cidrs\[1\]/,
    );
    expectRefusal(await create('--expires-at', 'tomorrow'), /validation_failed: expires_at/);
    expectRefusal(await create('--scopes', 'has space'), /validation_failed: scopes/);
  }, 120_000);

  it('keys list, rotate and revoke', async () => {
    type Key = { kid: string; status: string; revoked_at: string | null };
    const before = (await json<{ keys: Key[] }>(db, ['keys', 'list'])).keys;
    expect(before.map((key) => key.status).sort()).toEqual(['active', 'next']);
    const next = before.find((key) => key.status === 'next') as Key;
    const active = before.find((key) => key.status === 'active') as Key;

    expect(await json(db, ['keys', 'rotate'])).toEqual({ kid: next.kid });
    const after = (await json<{ keys: Key[] }>(db, ['keys', 'list'])).keys;
    expect(after.find((key) => key.kid === active.kid)?.status).toBe('retired');
    expect(after.find((key) => key.kid === next.kid)?.status).toBe('active');

    expect(await json(db, ['keys', 'revoke', active.kid])).toMatchObject({
      kid: active.kid,
      status: 'revoked',
      revoked_at: expect.any(String),
    });
    const text = await cli(db, ['keys', 'list']);
    expect(text.stdout.split('\n')[0]).toMatch(/^KID +ALG +STATUS/);
    expect(text.stdout).not.toMatch(/PRIVATE KEY|"d":/);
    expectRefusal(await cli(db, ['keys', 'revoke', 'no-such-kid']), /not_found.*signing key/);
    expectRefusal(
      await cli(db, ['keys', 'revoke', '-hVTtWBJp_2hrsZThBLlA']),
      /not_found.*signing key/,
    );
  }, 120_000);

  it('audit export prints JSON lines, --since keeps the later ones', async () => {
    const admin = await json<CreatedAdmin>(db, ['bootstrap-admin']);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const since = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const bot = await json<{ id: string; registration_token: string }>(db, [
      'api-users',
      'create',
      '--name',
      'bot',
      '--role',
      'operator',
    ]);

    const all = await cli(db, ['audit', 'export']);
    expect({ code: all.code, stderr: all.stderr }).toEqual({ code: 0, stderr: '' });
    const events = all.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; api_user_id: string; created_at: string });
    expect(events.map((event) => [event.type, event.api_user_id])).toEqual([
      ['api_user.created', admin.api_user.id],
      ['api_key.created', admin.api_user.id],
      ['api_user.created', bot.id],
    ]);
    expect(all.stdout).not.toContain(admin.api_key_secret);
    expect(all.stdout).not.toContain(bot.registration_token);

    const later = await cli(db, ['audit', 'export', '--since', since]);
    expect(later.code).toBe(0);
    const laterEvents = later.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; api_user_id: string });
    expect(laterEvents.map((event) => [event.type, event.api_user_id])).toEqual([
      ['api_user.created', bot.id],
    ]);
    expect(await cli(db, ['audit', 'export', '--since', '1h'])).toMatchObject({
      code: 0,
      stdout: all.stdout,
    });
    expect(await cli(db, ['audit', 'export', '--since', '2999-01-01'])).toMatchObject({
      code: 0,
      stdout: '',
    });
    expectRefusal(await cli(db, ['audit', 'export', '--since', 'yesterday']), /--since must be/);
  }, 120_000);

  it('rewrap-keys re-seals the keys under a new secret; the server then starts with it alone', async () => {
    const old = { KEY_ENCRYPTION_SECRET: OLD_SECRET };
    const admin = await json<CreatedAdmin>(db, ['bootstrap-admin'], old);

    // The new secret alone cannot open the keys yet.
    expectRefusal(
      await cli(db, ['keys', 'list'], { KEY_ENCRYPTION_SECRET: NEW_SECRET }),
      /signing key could not be decrypted/,
    );
    const rewrapped = await json(db, ['rewrap-keys'], {
      KEY_ENCRYPTION_SECRET: NEW_SECRET,
      KEY_ENCRYPTION_SECRET_PREVIOUS: OLD_SECRET,
    });
    expect(rewrapped).toEqual({ signing_keys: 2, resealed: 2 });
    expect(await json(db, ['rewrap-keys'], { KEY_ENCRYPTION_SECRET: NEW_SECRET })).toEqual({
      signing_keys: 2,
      resealed: 0,
    });
    // Now the old secret is the one that no longer opens them.
    expectRefusal(await cli(db, ['keys', 'list'], old), /signing key could not be decrypted/);

    const t = await startTestApp({
      db,
      env: { ...NO_ENV_ADMIN, KEY_ENCRYPTION_SECRET: NEW_SECRET },
    });
    try {
      const tokens = await exchange(t.http, admin.api_key_id, admin.api_key_secret);
      await t.http.get('/api-users/me').set(bearer(tokens.access_token)).expect(200);
    } finally {
      await t.close();
    }
  }, 120_000);

  it('refuses usage errors and bad configuration in one line, and prints help on stdout', async () => {
    expectRefusal(await cli(db, []), /a command is needed/);
    expectRefusal(await cli(db, ['frobnicate']), /unknown command 'frobnicate'/);
    expectRefusal(await cli(db, ['api-users']), /api-users needs a command/);
    expectRefusal(await cli(db, ['keys', 'spin']), /unknown command 'keys spin'/);
    expectRefusal(await cli(db, ['keys', 'list', '--colour']), /unknown option '--colour'/);
    expectRefusal(
      await cli(db, ['keys', 'list'], { DATABASE_URL: 'mysql://localhost/auth' }),
      /Invalid configuration: DATABASE_URL/,
    );
    const help = await cli(db, ['--help']);
    expect({ code: help.code, stderr: help.stderr }).toEqual({ code: 0, stderr: '' });
    for (const command of [
      'bootstrap-admin',
      'api-users',
      'api-keys',
      'keys',
      'sessions',
      'audit',
      'rewrap-keys',
    ]) {
      expect(help.stdout).toContain(command);
    }
  }, 120_000);
});
