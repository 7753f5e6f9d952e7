import type { AddressInfo } from 'node:net';
import { startTestApp, type TestApp } from '../support/test-app';
import { type Outcome, RawClient } from '../support/fuzz/raw-client';

/** The answers the HTTP layer gives before any route runs, each in the contract's shape. */
describe('Answers before any route', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(() => t.dispose());

  /** Sends each request in turn on one connection (a new one when the server closed it). */
  async function send(texts: string[], halfClose = false): Promise<Outcome[]> {
    const client = new RawClient(port, 5000);
    const outcomes: Outcome[] = [];
    for (const text of texts)
      outcomes.push(
        await client.send({
          bytes: Buffer.from(text, 'latin1'),
          head: false,
          fresh: false,
          halfClose,
        }),
      );
    client.close();
    return outcomes;
  }

  function expectError(outcome: Outcome, status: number, code: string): void {
    if (!('answer' in outcome)) throw new Error(`no answer: ${outcome.failure}`);
    const { answer } = outcome;
    expect({ status: answer.status, body: JSON.parse(answer.body.toString()) as unknown }).toEqual({
      status,
      body: { error: { code, message: expect.any(String) } },
    });
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['content-security-policy']).toBe("frame-ancestors 'none'");
  }

  it("answers a body the parsers refuse in the route's own shape on the OAuth and seed routes", async () => {
    const malformed = (path: string, type = 'application/json') =>
      t.http.post(path).set('content-type', type).send('{"refresh');
    const oauth = await t.http
      .post('/oauth/token')
      .set('content-type', 'text/plain')
      .send('grant_type=client_credentials');
    expect([oauth.status, oauth.body]).toEqual([
      400,
      { error: 'invalid_request', error_description: expect.any(String) },
    ]);
    const seed003 = await malformed('/api/login/refresh-token');
    expect([seed003.status, seed003.body]).toEqual([
      400,
      { code: '400', response: expect.any(String) },
    ]);
    const seed004 = await malformed('/api/v2/wallet/refresh');
    expect([seed004.status, seed004.body]).toEqual([
      400,
      { status: 400, message: expect.any(String) },
    ]);
    const oversized = await t.http
      .post('/api/v2/wallet/refresh')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ refreshToken: 'x'.repeat(70_000) }));
    expect([oversized.status, oversized.body]).toEqual([
      413,
      { status: 413, message: expect.any(String) },
    ]);
    // The core routes, and anything but a POST on those paths, keep the core shape.
    const core = await malformed('/auth/token/refresh');
    expect([core.status, core.body.error.code]).toEqual([400, 'validation_failed']);
    const notThere = await t.http.get('/oauth/token');
    expect([notThere.status, notThere.body.error.code]).toEqual([404, 'not_found']);
  });

  it('answers oversized headers 431 request_header_fields_too_large, and closes', async () => {
    const [outcome] = await send([
      `GET /health HTTP/1.1\r\nHost: a\r\nX-Big: ${'h'.repeat(20_000)}\r\n\r\n`,
    ]);
    expectError(outcome, 431, 'request_header_fields_too_large');
    expect('answer' in outcome && outcome.answer.headers.connection).toBe('close');
  });

  it('answers a URL over 8 KiB 414 uri_too_long, in the path or the query, and serves one under it', async () => {
    const [inPath, inQuery, atLimit] = await send([
      `GET /${'a'.repeat(9000)} HTTP/1.1\r\nHost: a\r\n\r\n`,
      `GET /sessions?q=${'b'.repeat(9000)} HTTP/1.1\r\nHost: a\r\n\r\n`,
      `GET /health?q=${'c'.repeat(8 * 1024 - 20)} HTTP/1.1\r\nHost: a\r\n\r\n`,
    ]);
    expectError(inPath, 414, 'uri_too_long');
    expectError(inQuery, 414, 'uri_too_long');
    expect('answer' in atLimit && atLimit.answer.status).toBe(200);
  });

  it.each([
    ['a header line without a colon', 'GET /health HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n'],
    ['a NUL in a header', 'GET /health HTTP/1.1\r\nHost: a\r\nX-A: b\u0000c\r\n\r\n'],
    ['a bad HTTP version', 'GET /health HTTP/9.9\r\nHost: a\r\n\r\n'],
    [
      'two Content-Lengths',
      'POST /auth/token HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
    ],
    [
      'a bad chunk size',
      'POST /auth/token HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    ],
    ['no Host (HTTP/1.1)', 'GET /health HTTP/1.1\r\n\r\n'],
    ['a URL that does not decode', 'GET /api-users/%zz HTTP/1.1\r\nHost: a\r\n\r\n'],
  ])('answers a malformed request (%s) 400 validation_failed', async (_label, text) => {
    const [outcome] = await send([text]);
    expectError(outcome, 400, 'validation_failed');
  });

  it('answers a request cut short by the end of the stream 400', async () => {
    const [outcome] = await send(['POST /auth/token HTTP/1.1\r\nHost: a\r\nContent-Ty'], true);
    expectError(outcome, 400, 'validation_failed');
  });

  it.each(['FOO', 'BREW', 'PROPFIND', 'TRACE', 'PURGE'])(
    'answers the method %s 404 not_found',
    async (method) => {
      const [outcome] = await send([`${method} /auth/token HTTP/1.1\r\nHost: a\r\n\r\n`]);
      expectError(outcome, 404, 'not_found');
    },
  );

  it.each(['example.com:443', '/auth/token'])(
    'answers CONNECT %s 404 not_found',
    async (target) => {
      const [outcome] = await send([`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`]);
      expectError(outcome, 404, 'not_found');
    },
  );

  it('serves a request whose expectation it does not know, instead of an empty 417', async () => {
    const [outcome] = await send(['GET /nothing-here HTTP/1.1\r\nHost: a\r\nExpect: foo\r\n\r\n']);
    expectError(outcome, 404, 'not_found');
  });

  it('still answers a malformed request sent after one asking for an Upgrade', async () => {
    const [upgrade, malformed] = await send([
      'GET /health HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
      'FOO /health HTTP/1.1\r\nHost: a\r\n\r\n',
    ]);
    expect('answer' in upgrade && upgrade.answer.status).toBe(200);
    expectError(malformed, 404, 'not_found');
  });
});
