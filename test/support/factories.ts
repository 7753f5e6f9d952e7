import type TestAgent from 'supertest/lib/agent';
import { ADMIN_KEY_ID, ADMIN_KEY_SECRET } from './test-app';

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  session_state: string;
  expires_in: number;
  token_type: string;
}

export interface Credentials {
  apiUserId: string;
  apiKeyId: string;
  apiKeySecret: string;
}

let counter = 0;
export function uniqueName(prefix = 'user'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

export function bearer(token: string): { Authorization: string } {
  return { Authorization: `Bearer ${token}` };
}

export async function exchange(
  http: TestAgent,
  apiKeyId: string,
  apiKeySecret: string,
): Promise<TokenPair> {
  const response = await http
    .post('/auth/token')
    .send({ api_key_id: apiKeyId, api_key_secret: apiKeySecret })
    .expect(200);
  return response.body as TokenPair;
}

export function adminTokens(http: TestAgent): Promise<TokenPair> {
  return exchange(http, ADMIN_KEY_ID, ADMIN_KEY_SECRET);
}

/** Creates and registers an API user through the API, as an admin would. */
export async function registeredUser(
  http: TestAgent,
  adminAccessToken: string,
  role: 'admin' | 'operator' = 'operator',
): Promise<Credentials & { name: string }> {
  const name = uniqueName(role);
  const created = await http
    .post('/api-users')
    .set(bearer(adminAccessToken))
    .send({ name, role })
    .expect(201);
  const registered = await http
    .post('/api-users/register')
    .send({ registration_token: created.body.registration_token })
    .expect(201);
  return {
    name,
    apiUserId: registered.body.api_user_id,
    apiKeyId: registered.body.api_key_id,
    apiKeySecret: registered.body.api_key_secret,
  };
}

/** A registered operator with a live token pair. */
export async function loggedInOperator(
  http: TestAgent,
  adminAccessToken: string,
): Promise<Credentials & { name: string; tokens: TokenPair }> {
  const user = await registeredUser(http, adminAccessToken);
  return { ...user, tokens: await exchange(http, user.apiKeyId, user.apiKeySecret) };
}

/** POST /auth/token/refresh, returning the raw response (status and body). */
export function refresh(http: TestAgent, refreshToken: string) {
  return http.post('/auth/token/refresh').send({ refresh_token: refreshToken });
}

/** A client secret (POST /clients), the `x-client-secret` of seed 004. */
export async function clientSecretOf(http: TestAgent, adminAccessToken: string): Promise<string> {
  const created = await http
    .post('/clients')
    .set(bearer(adminAccessToken))
    .send({ name: uniqueName('client') })
    .expect(201);
  return created.body.client_secret as string;
}

/** Seed 004's wallet token for a refresh token: `{walletToken, refreshToken}` (the successor). */
export async function walletTokens(
  http: TestAgent,
  refreshToken: string,
  clientSecret: string,
): Promise<{ walletToken: string; refreshToken: string }> {
  const response = await http
    .post('/api/v2/wallet/refresh')
    .set('x-client-secret', clientSecret)
    .send({ refreshToken })
    .expect(200);
  return response.body.data;
}
