import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OpenAPIObject } from '@nestjs/swagger';
import { startTestApp, type TestApp } from '../support/test-app';
import { buildOpenApiDocument } from '../../src/swagger';
import { undefinedSecuritySchemes, unresolvedRefs } from '../support/openapi-integrity';

const COMMITTED = join(__dirname, '..', '..', 'openapi.json');
/** Routes the contract exempts from documenting error responses. */
const EXEMPT = /^\/(health|\.well-known\/|docs)/;

type Operation = {
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  security?: unknown[];
};

function operations(document: OpenAPIObject): Array<[string, Operation]> {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item as Record<string, Operation>).map(
      ([method, operation]): [string, Operation] => [`${method.toUpperCase()} ${path}`, operation],
    ),
  );
}

describe('OpenAPI document', () => {
  let t: TestApp;
  let document: OpenAPIObject;

  beforeAll(async () => {
    t = await startTestApp();
    document = buildOpenApiDocument(t.app);
  });
  afterAll(() => t.dispose());

  it('matches the committed openapi.json (run `npm run openapi:write` after changing the API)', () => {
    const generated = `${JSON.stringify(document, null, 2)}\n`;
    if (process.env.OPENAPI_WRITE === '1') writeFileSync(COMMITTED, generated);
    expect(JSON.parse(readFileSync(COMMITTED, 'utf8'))).toEqual(JSON.parse(generated));
  });

  it('is served at /docs-json, with Swagger UI at /docs', async () => {
    const served = await t.http.get('/docs-json').expect(200);
    expect(served.body.paths).toEqual(JSON.parse(JSON.stringify(document.paths)));
    const ui = await t.http.get('/docs').expect(200);
    expect(ui.text).toContain('swagger-ui');
  });

  it('documents the 4xx responses of every operation, in the error shape', () => {
    const missing = operations(document)
      .filter(([name]) => !EXEMPT.test(name.split(' ')[1]))
      .filter(([, operation]) => {
        const errors = Object.entries(operation.responses).filter(([status]) =>
          status.startsWith('4'),
        );
        return (
          errors.length === 0 ||
          errors.some(([, response]) => !response.content?.['application/json']?.schema)
        );
      })
      .map(([name]) => name);
    expect(missing).toEqual([]);
  });

  it('gives a schema for every 2xx body', () => {
    const missing = operations(document)
      .flatMap(([name, operation]) =>
        Object.entries(operation.responses).map(([status, response]) => ({
          name,
          status,
          response,
        })),
      )
      // RFC 7009 (and the contract): revocation answers 200 with no body.
      .filter(({ name }) => name !== 'POST /oauth/revoke')
      .filter(({ status }) => status.startsWith('2') && status !== '204')
      .filter(
        ({ response }) => !Object.values(response.content ?? {}).some((media) => media.schema),
      )
      .map(({ name, status }) => `${name} ${status}`);
    expect(missing).toEqual([]);
  });

  it('describes request bodies with their properties and the security of guarded routes', () => {
    const schemas = document.components?.schemas as Record<
      string,
      { properties?: Record<string, unknown>; required?: string[] }
    >;
    expect(Object.keys(schemas.TokenRequestDto.properties ?? {})).toEqual([
      'api_key_id',
      'api_key_secret',
      'scope',
      'resource',
    ]);
    expect(schemas.TokenRequestDto.required).toEqual(['api_key_id', 'api_key_secret']);
    expect(Object.keys(schemas.CreateApiKeyDto.properties ?? {}).sort()).toEqual([
      'allowed_cidrs',
      'expires_at',
      'name',
      'scopes',
    ]);
    expect(schemas.TokenRequestDto.required).toEqual(['api_key_id', 'api_key_secret']);
    expect(Object.keys(schemas.TokenResponseDto.properties ?? {}).sort()).toEqual([
      'access_token',
      'expires_in',
      'refresh_token',
      'session_state',
      'token_type',
    ]);
    const me = operations(document).find(([name]) => name === 'GET /api-users/me')?.[1];
    expect(me?.security).toEqual([{ bearer: [] }]);
    const token = operations(document).find(([name]) => name === 'POST /auth/token')?.[1];
    expect(token?.security).toBeUndefined();
  });

  it('resolves every $ref and defines every security scheme an operation names', () => {
    expect(unresolvedRefs(document)).toEqual([]);
    expect(undefinedSecuritySchemes(document)).toEqual([]);
    expect(Object.keys(document.components?.securitySchemes ?? {}).sort()).toEqual([
      'basic',
      'bearer',
      'wallet-token',
    ]);
    // The marker @Public() leaves for documentAuthGuard does not reach the published document.
    expect(JSON.stringify(document)).not.toContain('x-auth-public');
  });

  it("shows the three wire-format profiles with their request and response schemas and the seeds' examples", () => {
    type Op = {
      tags?: string[];
      requestBody?: {
        content: Record<string, { schema?: { $ref?: string }; examples?: Record<string, unknown> }>;
      };
      responses: Record<
        string,
        { content?: Record<string, { schema?: { $ref?: string }; example?: unknown }> }
      >;
      parameters?: Array<{ name: string; in: string; required?: boolean }>;
    };
    const paths = document.paths as Record<string, { post?: Op }>;
    const expectations: Array<[string, string, string]> = [
      ['/api/v1/authenticate/refresh', 'authenticate-refresh', 'AuthenticateRefreshResponseDto'],
      ['/api/login/refresh-token', 'login-refresh-token', 'LoginRefreshTokenResponseDto'],
      ['/api/v2/wallet/refresh', 'wallet-refresh', 'WalletRefreshResponseDto'],
    ];
    for (const [path, tag, responseSchema] of expectations) {
      const operation = paths[path]?.post as Op;
      expect(operation.tags?.[0]).toContain(tag);
      const body = operation.requestBody?.content['application/json'];
      expect(body?.schema?.$ref).toBe('#/components/schemas/ProfileRefreshRequestDto');
      expect(body?.examples).toBeDefined();
      const ok = operation.responses['200'].content?.['application/json'];
      expect(ok?.schema?.$ref).toBe(`#/components/schemas/${responseSchema}`);
      expect(ok?.example).toBeDefined();
      expect(operation.responses['401'].content?.['application/json']?.example).toBeDefined();
    }
    expect(
      paths['/api/login/refresh-token'].post?.responses['401'].content?.['application/json']
        ?.example,
    ).toEqual({
      code: '401',
      response: 'RefreshToken Expired',
    });
    expect(paths['/api/v2/wallet/refresh'].post?.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'x-client-secret', in: 'header', required: true }),
      ]),
    );
    const schemas = document.components?.schemas as Record<
      string,
      { properties?: Record<string, unknown> }
    >;
    expect(Object.keys(schemas.AuthenticateRefreshResponseDto.properties ?? {}).sort()).toEqual([
      'jwtToken',
      'refreshToken',
    ]);
    expect(Object.keys(schemas.LoginRefreshTokenResponseDto.properties ?? {}).sort()).toEqual([
      'accessToken',
      'expiresIn',
      'refreshToken',
      'tokenType',
    ]);
    expect(Object.keys(schemas.WalletRefreshResponseDto.properties ?? {}).sort()).toEqual([
      'data',
      'message',
      'status',
    ]);
    expect(paths['/api/v2/wallet/operation'].post).toBeDefined();
  });

  it('describes the OAuth endpoints with their form-encoded bodies', () => {
    type Op = {
      requestBody?: { content: Record<string, { schema?: { $ref?: string } }> };
      responses: Record<string, unknown>;
    };
    const paths = document.paths as Record<string, { post?: Op; get?: Op }>;
    for (const [path, schema] of [
      ['/oauth/token', 'OAuthTokenRequestDto'],
      ['/oauth/revoke', 'OAuthTokenParamDto'],
      ['/oauth/introspect', 'OAuthTokenParamDto'],
    ]) {
      const body = paths[path].post?.requestBody?.content['application/x-www-form-urlencoded'];
      expect(body?.schema?.$ref).toBe(`#/components/schemas/${schema}`);
      expect(Object.keys(paths[path].post?.responses ?? {})).toEqual(
        expect.arrayContaining(['200', '400', '401']),
      );
    }
    const schemas = document.components?.schemas as Record<
      string,
      { properties?: Record<string, unknown>; required?: string[] }
    >;
    expect(Object.keys(schemas.OAuthTokenRequestDto.properties ?? {})).toEqual(
      expect.arrayContaining(['grant_type', 'refresh_token', 'client_id', 'client_secret']),
    );
    expect(schemas.OAuthTokenRequestDto.required).toEqual(['grant_type']);
    expect(paths['/.well-known/oauth-authorization-server'].get).toBeDefined();
  });
});
