import type { DataSource } from 'typeorm';
import { refreshTokenKey } from '../../libs/auth/src/sessions/refresh-token-key';

// Moves stored instants into the past, so expiry rules are tested without waiting.

/** The key a refresh token's row is stored under, for tests that look the row up. */
export { refreshTokenKey };

export async function expireRefreshToken(
  dataSource: DataSource,
  refreshToken: string,
): Promise<void> {
  await dataSource.query(
    `UPDATE refresh_tokens SET expires_at = ${Date.now() - 1000} WHERE token_hash = '${refreshTokenKey(refreshToken)}'`,
  );
}

export async function expireSession(dataSource: DataSource, sessionId: string): Promise<void> {
  await dataSource.query(
    `UPDATE sessions SET expires_at = ${Date.now() - 1000} WHERE id = '${sessionId}'`,
  );
}

/** Pretends a token was consumed `ms` earlier than it was. */
export async function ageConsumption(
  dataSource: DataSource,
  refreshToken: string,
  ms: number,
): Promise<void> {
  await dataSource.query(
    `UPDATE refresh_tokens SET consumed_at = consumed_at - ${ms} WHERE token_hash = '${refreshTokenKey(refreshToken)}'`,
  );
}

export async function sessionRow(
  dataSource: DataSource,
  sessionId: string,
): Promise<{ revoked_at: unknown; revoked_reason: string | null }> {
  const rows = await dataSource.query(
    `SELECT revoked_at, revoked_reason FROM sessions WHERE id = '${sessionId}'`,
  );
  return rows[0];
}
