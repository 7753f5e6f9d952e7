import { createPrivateKey, createSign, generateKeyPairSync, createHmac } from 'node:crypto';
import { startTestApp, type TestApp } from '../support/test-app';
import { adminTokens, bearer, type TokenPair } from '../support/factories';
import { decodeJwt, forge } from '../support/jwt';

const errorShape = { error: { code: expect.any(String), message: expect.any(String) } };

describe('Bad input', () => {
  let t: TestApp;
  let admin: TokenPair;

  const countRows = async (): Promise<number[]> => {
    const tables = ['api_users', 'api_keys', 'clients'];
    return Promise.all(
      tables.map(async (table) =>
        Number((await t.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n),
      ),
    );
  };

  beforeAll(async () => {
    t = await startTestApp();
    admin = await adminTokens(t.http);
  });
  afterAll(() => t.dispose());

  describe('request bodies', () => {
    it('answers 400 validation_failed to malformed JSON', async () => {
      const response = await t.http
        .post('/auth/token')
        .set('Content-Type', 'application/json')
        .send('{"api_key_id": ')
        .expect(400);
      expect(response.body).toEqual({
        error: { code: 'validation_failed', message: expect.any(String) },
      });
    });

    it.each([
      'text/plain',
      'application/xml',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ])('answers 415 unsupported_media_type to %s', async (type) => {
      const response = await t.http
        .post('/auth/token')
        .set('Content-Type', type)
        .send('api_key_id=a&api_key_secret=b')
        .expect(415);
      expect(response.body.error.code).toBe('unsupported_media_type');
    });

    it('answers 413 payload_too_large to a body over 64 KiB, and accepts one just under', async () => {
      const big = JSON.stringify({ api_key_id: 'x'.repeat(65 * 1024), api_key_secret: 'y' });
      const response = await t.http
        .post('/auth/token')
        .set('Content-Type', 'application/json')
        .send(big)
        .expect(413);
      expect(response.body.error.code).toBe('payload_too_large');
      const under = JSON.stringify({ api_key_id: 'x'.repeat(60 * 1024), api_key_secret: 'y' });
      const validation = await t.http
        .post('/auth/token')
        .set('Content-Type', 'application/json')
        .send(under)
        .expect(400);
      expect(validation.body.error.code).toBe('validation_failed');
    });

    it('answers 400 to a body that is not an object', async () => {
      await t.http
        .post('/auth/token')
        .set('Content-Type', 'application/json')
        .send('"just a string"')
        .expect(400);
      await t.http
        .post('/auth/token')
        .set('Content-Type', 'application/json')
        .send('[1,2]')
        .expect(400);
      await t.http
        .post('/auth/token')
        .set('Content-Type', 'application/json')
        .send('null')
        .expect(400);
    });
  });

  describe('hostile strings answer 4xx in the error shape and change nothing', () => {
    const hostileNames: Array<[string, unknown]> = [
      ['an SQL fragment', "x'); DROP TABLE api_users; --"],
      ['another SQL fragment', 'admin" OR 1=1 --'],
      ['a NUL byte', 'abc\u0000def'],
      ['a lone surrogate', 'abc\ud800def'],
      ['a 10 000-character value', 'a'.repeat(10_000)],
      ['a number', 12345],
      ['an object', { $gt: '' }],
      ['an array', ['a']],
    ];

    it.each(hostileNames)('in an API user name: %s', async (_label, name) => {
      const before = await countRows();
      const response = await t.http
        .post('/api-users')
        .set(bearer(admin.access_token))
        .send({ name, role: 'operator' });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject(errorShape);
      expect(await countRows()).toEqual(before);
    });

    it.each(hostileNames)('in a client name: %s', async (_label, name) => {
      const before = await countRows();
      const response = await t.http.post('/clients').set(bearer(admin.access_token)).send({ name });
      expect(response.status).toBe(400);
      expect(await countRows()).toEqual(before);
    });

    it.each(hostileNames)('in API key credentials: %s', async (_label, value) => {
      const asId = await t.http
        .post('/auth/token')
        .send({ api_key_id: value, api_key_secret: 'secret' });
      expect(asId.status).toBe(400);
      expect(asId.body).toMatchObject(errorShape);
      const asSecret = await t.http
        .post('/auth/token')
        .send({ api_key_id: 'AAAAAAAAAAAAAAAAAAAAAA', api_key_secret: value });
      expect([400, 401]).toContain(asSecret.status);
      expect(asSecret.body).toMatchObject(errorShape);
    });

    it.each(hostileNames)('in a registration token: %s', async (_label, value) => {
      const before = await countRows();
      const response = await t.http.post('/api-users/register').send({ registration_token: value });
      expect(response.status).toBe(400);
      expect(await countRows()).toEqual(before);
    });

    it('in __proto__ and constructor keys', async () => {
      const before = await countRows();
      for (const body of [
        '{"name":"proto-test","role":"operator","__proto__":{"role":"admin"}}',
        '{"name":"proto-test","role":"operator","constructor":{"prototype":{"role":"admin"}}}',
      ]) {
        const response = await t.http
          .post('/api-users')
          .set(bearer(admin.access_token))
          .set('Content-Type', 'application/json')
          .send(body);
        expect(response.status).toBe(400);
        expect(response.body).toMatchObject(errorShape);
      }
      expect(await countRows()).toEqual(before);
      expect(({} as Record<string, unknown>).role).toBeUndefined();
    });

    it('in path and query parameters', async () => {
      const auth = bearer(admin.access_token);
      for (const path of [
        "/api-users/1'%20OR%20'1'='1",
        '/api-users/%00',
        `/api-users/${'a'.repeat(10_000)}`,
        '/clients/%27%3B--',
        '/api-users/%ED%A0%80',
      ]) {
        const response = path.startsWith('/clients')
          ? await t.http.delete(path).set(auth)
          : await t.http.get(path).set(auth);
        // 414 for a URL over 8 KiB (the 10,000-character segment).
        expect([400, 404, 414]).toContain(response.status);
        expect(response.body).toMatchObject(errorShape);
      }
      for (const query of ["page=1'%20OR%201=1", 'page_size=%00', `page=${'9'.repeat(1_000)}`]) {
        const response = await t.http.get(`/api-users?${query}`).set(auth);
        expect(response.status).toBe(400);
      }
      // Past 8 KiB the URL itself is refused.
      const tooLong = await t.http.get(`/api-users?page=${'9'.repeat(10_000)}`).set(auth);
      expect([tooLong.status, tooLong.body.error.code]).toEqual([414, 'uri_too_long']);
    });

    it('in headers', async () => {
      const response = await t.http
        .get('/api-users/me')
        .set('Authorization', `Bearer ${'x'.repeat(10_000)}`);
      expect(response.status).toBe(401);
    });
  });

  it('answers unknown routes 404 in the error shape', async () => {
    const response = await t.http.get('/no/such/route').expect(404);
    expect(response.body).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    expect((await t.http.post('/auth/unknown').send({})).status).toBe(404);
  });

  describe('forged bearer tokens answer 401', () => {
    const claims = () => decodeJwt(admin.access_token);

    const expectUnauthorized = async (token: string) => {
      const response = await t.http.get('/api-users/me').set(bearer(token));
      expect(response.status).toBe(401);
      expect(response.body).toEqual({
        error: { code: 'unauthorized', message: expect.any(String) },
      });
    };

    it('the genuine token works (the control case)', async () => {
      await t.http.get('/api-users/me').set(bearer(admin.access_token)).expect(200);
    });

    it('alg: none', async () => {
      const { header, payload } = claims();
      await expectUnauthorized(forge({ ...header, alg: 'none' }, payload));
      await expectUnauthorized(forge({ alg: 'none', typ: 'at+jwt' }, payload));
    });

    it('a tampered payload', async () => {
      const [h, , s] = admin.access_token.split('.');
      const payload = { ...claims().payload, sub: '00000000-0000-7000-8000-000000000000' };
      await expectUnauthorized(
        `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`,
      );
    });

    it('HS256 signed with the public key', async () => {
      const { header, payload } = claims();
      const jwks = await t.http.get('/.well-known/jwks.json').expect(200);
      const { createPublicKey } = await import('node:crypto');
      const pem = createPublicKey({ key: jwks.body.keys[0], format: 'jwk' })
        .export({ format: 'pem', type: 'spki' })
        .toString();
      const unsigned = forge({ ...header, alg: 'HS256' }, payload).slice(0, -1);
      const signature = createHmac('sha256', pem).update(unsigned).digest('base64url');
      await expectUnauthorized(`${unsigned}.${signature}`);
    });

    it('an unknown kid, and a foreign key claiming our kid', async () => {
      const { header, payload } = claims();
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const sign = (h: object) => {
        const unsigned = forge(h, payload).slice(0, -1);
        const signer = createSign('sha256');
        signer.update(unsigned);
        return `${unsigned}.${signer.sign({ key: createPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' })), dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
      };
      await expectUnauthorized(sign({ ...header, kid: 'unknown-kid' }));
      await expectUnauthorized(sign(header));
    });

    it('a refresh token used as a bearer token', async () => {
      await expectUnauthorized(admin.refresh_token);
    });

    it('garbage and truncated tokens', async () => {
      await expectUnauthorized('not-a-jwt');
      await expectUnauthorized(admin.access_token.slice(0, -10));
      await expectUnauthorized('a.b.c');
      const response = await t.http
        .get('/api-users/me')
        .set('Authorization', `Basic ${Buffer.from('a:b').toString('base64')}`);
      expect(response.status).toBe(401);
    });
  });

  it('leaves the genuine admin token working after all of the above', async () => {
    const response = await t.http.get('/api-users/me').set(bearer(admin.access_token)).expect(200);
    expect(response.body.role).toBe('admin');
  });
});
