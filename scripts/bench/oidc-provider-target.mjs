// The peer of the benchmark: panva's oidc-provider 9, in memory, ES256, rotateRefreshToken,
// JWT access tokens for a default resource (so client-credentials tokens are not stored).
// Started with an IPC channel: it reports { ready, port } and answers { mint: n } with
// { minted: [refresh tokens] } created through its own Grant and RefreshToken models.
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import Provider from 'oidc-provider';

const port = Number(process.argv[2] ?? 0);
const RESOURCE = 'urn:bench:api';
const CLIENT = { client_id: 'bench', client_secret: 'bench-secret-0123456789abcdefghijklmn' };

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwk = {
  ...privateKey.export({ format: 'jwk' }),
  kid: 'bench-es256',
  alg: 'ES256',
  use: 'sig',
};

const server = http.createServer();
server.listen(port, '127.0.0.1', async () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        ...CLIENT,
        grant_types: ['client_credentials', 'refresh_token', 'authorization_code'],
        redirect_uris: ['https://client.example/cb'],
        token_endpoint_auth_method: 'client_secret_post',
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: [jwk] },
    findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id }) }),
    rotateRefreshToken: true,
    ttl: { AccessToken: 3600, ClientCredentials: 3600, Grant: 86_400, RefreshToken: 86_400 },
    scopes: ['api', 'offline_access'],
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'api',
          audience: RESOURCE,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
  });
  provider.on('server_error', (_ctx, error) =>
    process.stderr.write(`oidc-provider error: ${error.message}\n`),
  );
  server.on('request', provider.callback());

  const client = await provider.Client.find(CLIENT.client_id);
  process.on('message', async (message) => {
    if (!message?.mint) return;
    const minted = [];
    for (let i = 0; i < message.mint; i += 1) {
      const grant = new provider.Grant({ accountId: `account-${i}`, clientId: CLIENT.client_id });
      grant.addResourceScope(RESOURCE, 'api');
      grant.addOIDCScope('offline_access');
      const grantId = await grant.save();
      const token = new provider.RefreshToken({
        accountId: `account-${i}`,
        client,
        grantId,
        scope: 'offline_access api',
        resource: RESOURCE,
        gty: 'authorization_code',
        expiresWithSession: false,
      });
      minted.push(await token.save());
    }
    process.send({ minted });
  });
  process.send({ ready: true, port: server.address().port, client: CLIENT });
});
