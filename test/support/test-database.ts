import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

export type TestDbKind = 'sqlite' | 'postgres';

/** The key-encryption secret of test databases on PostgreSQL. */
export const TEST_KEY_ENCRYPTION_SECRET = 'test-key-encryption-secret-0123456789-abcdef';

export interface TestDatabase {
  kind: TestDbKind;
  /** Environment variables that point the server at this database. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

export function currentDbKind(): TestDbKind {
  return process.env.TEST_DB === 'postgres' ? 'postgres' : 'sqlite';
}

/** A fresh, empty database of the current project's kind, private to the calling test file. */
export async function createTestDatabase(
  kind: TestDbKind = currentDbKind(),
): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'auth-sqlite-'));
    return {
      kind,
      // A nested folder that does not exist yet: the server must create it.
      env: { DATABASE_PATH: join(dir, 'nested', 'auth.sqlite') },
      drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
    };
  }
  const adminUrl = process.env.TEST_PG_ADMIN_URL;
  if (!adminUrl)
    throw new Error('TEST_PG_ADMIN_URL is not set: the jest globalSetup starts PostgreSQL');
  const name = `auth_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    kind,
    // PostgreSQL needs the secret that seals the signing keys (the server refuses to start
    // without one); every instance on this database shares it.
    env: { DATABASE_URL: url.toString(), KEY_ENCRYPTION_SECRET: TEST_KEY_ENCRYPTION_SECRET },
    drop: () =>
      withAdmin(adminUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      ).then(() => undefined),
  };
}

async function withAdmin<T>(adminUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
