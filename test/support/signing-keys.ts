import type TestAgent from 'supertest/lib/agent';
import type { DataSource } from 'typeorm';
import { bearer } from './factories';

export interface ListedKey {
  kid: string;
  alg: string;
  status: 'next' | 'active' | 'retired' | 'revoked';
  created_at: string;
  activated_at: string | null;
  retired_at: string | null;
  revoked_at: string | null;
}

/** GET /keys as an admin. */
export async function listKeys(http: TestAgent, adminAccessToken: string): Promise<ListedKey[]> {
  const response = await http.get('/keys').set(bearer(adminAccessToken)).expect(200);
  return response.body.keys;
}

export async function keyWithStatus(
  http: TestAgent,
  adminAccessToken: string,
  status: ListedKey['status'],
): Promise<ListedKey> {
  const key = (await listKeys(http, adminAccessToken)).find((k) => k.status === status);
  if (!key) throw new Error(`no ${status} key`);
  return key;
}

/** Pretends the active key became active `days` days earlier than it did. */
export async function ageActiveKey(dataSource: DataSource, days: number): Promise<void> {
  await dataSource.query(
    `UPDATE signing_keys SET activated_at = activated_at - ${days * 86_400_000} WHERE status = 'active'`,
  );
}

/** Polls until `check` is true; returns the elapsed milliseconds, or Infinity after `limitMs`. */
export async function msUntil(check: () => Promise<boolean>, limitMs = 3000): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < limitMs) {
    if (await check()) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Infinity;
}
