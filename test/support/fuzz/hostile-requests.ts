import { deepJson, hostileString, hostileValue, plausibleValue } from './hostile-values';
import type { Operation, Schema } from './openapi-operations';
import type { Random } from './random';
import type { Sendable } from './raw-client';

/** Real credentials and ids, so that some hostile requests get past the guards. */
export interface FuzzFixtures {
  /** Access tokens that pass the bearer guard (admins' and an operator's). */
  bearerTokens: string[];
  /** Valid access tokens of sessions that may be ended (see `SELF_REVOKING`). */
  expendableTokens: string[];
  refreshTokens: string[];
  /** `client_secret`s of POST /clients, for seed 004's `x-client-secret`. */
  clientSecrets: string[];
  /** Ids of things that exist, for path parameters, queries and bodies. */
  ids: string[];
}

/** A generated request: its bytes, and what the checker needs to know about it. */
export interface FuzzRequest extends Sendable {
  /** What kind of hostility it is, for the report. */
  kind: string;
  /** The method as sent. */
  method: string;
  /** The request target's path, without the query string. */
  path: string;
}

interface Draft {
  kind: string;
  method: string;
  path: string;
  query: string;
  headers: Array<[string, string]>;
  body?: Buffer;
}

/**
 * Operations that revoke the caller's own session: they get the expendable tokens, or the
 * first few would log out every session the other requests rely on to pass the guards.
 */
const SELF_REVOKING = new Set(['POST /auth/logout']);

const ODD_METHODS = [
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
  'HEAD',
  'TRACE',
  'PROPFIND',
  'PROPPATCH',
  'MKCOL',
  'COPY',
  'MOVE',
  'LOCK',
  'UNLOCK',
  'SEARCH',
  'PURGE',
  'LINK',
  'UNLINK',
  'REPORT',
  'QUERY',
  'M-SEARCH',
  'SOURCE',
  'BIND',
  'ACL',
  'FOO',
  'GETT',
  'X_CUSTOM',
  'BREW',
];

const WRONG_CONTENT_TYPES = [
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=----x',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/jsonx',
  'application/json, text/plain',
  'APPLICATION/JSON',
  'application/merge-patch+json',
  '*/*',
  '',
  ';;;',
  'application/json; boundary="',
];

const BAD_JSON = [
  '',
  '{',
  '{"a":',
  '{"a":1,}',
  "{'a':1}",
  '{"a":NaN}',
  '{"a":1} trailing',
  '/* comment */ {}',
  '\ufeff{}',
  '{"a":"\\ud800"}',
  '{"a":"\\u0000"}',
  '{"__proto__":{"x":1}}',
  '{"constructor":{"prototype":{"x":1}}}',
  '{"a":1,"a":2}',
  '[',
  '"unterminated',
  '1e99999',
  'nul',
  '{"a":01}',
  '\u0000',
];

/** Builds one hostile request, of a kind drawn by the weights below. */
export function hostileRequest(
  random: Random,
  operations: Operation[],
  fixtures: FuzzFixtures,
): FuzzRequest {
  const draft = random.weighted<() => Draft | FuzzRequest>([
    [70, () => operationRequest(random, random.pick(operations), fixtures)],
    [8, () => headerAbuse(random, random.pick(operations), fixtures)],
    [6, () => longUrl(random, random.pick(operations))],
    [10, () => malformedRequest(random, random.pick(operations))],
    [3, () => truncatedRequest(random, random.pick(operations))],
    [3, () => connectRequest(random)],
  ])();
  return 'bytes' in draft ? draft : serialize(draft);
}

/** The request a client of the operation would send, with one or more parts made hostile. */
function operationRequest(random: Random, operation: Operation, fixtures: FuzzFixtures): Draft {
  const kinds: string[] = [];
  let method = operation.method;
  if (random.chance(0.1)) {
    method = random.pick(ODD_METHODS);
    kinds.push('method');
  }
  const path = fillPath(random, operation, fixtures, kinds);
  const query = buildQuery(random, operation, fixtures, kinds);
  const headers: Array<[string, string]> = [];
  authorization(random, operation, fixtures, headers, kinds);
  for (const header of operation.headers) {
    if (random.chance(0.7))
      headers.push([
        header.name,
        random.chance(0.6)
          ? random.pick(fixtures.clientSecrets)
          : headerSafe(hostileString(random)),
      ]);
  }
  let body: Buffer | undefined;
  if (operation.body !== undefined || random.chance(0.15)) {
    const contentType = operation.body?.contentType ?? 'application/json';
    const built = buildBody(random, operation.body?.schema, contentType, fixtures, kinds);
    body = built.body;
    if (built.contentType !== undefined) headers.push(['Content-Type', built.contentType]);
  }
  if (random.chance(0.05)) {
    headers.push(['Expect', random.pick(['100-continue', 'foo', '200-ok', ''])]);
    kinds.push('expect');
  }
  return {
    kind: `operation ${operation.method} ${operation.path} [${kinds.join(',') || 'plausible'}]`,
    method,
    path,
    query,
    headers,
    body,
  };
}

function fillPath(
  random: Random,
  operation: Operation,
  fixtures: FuzzFixtures,
  kinds: string[],
): string {
  return operation.path.replace(/\{[^}]+\}/g, () => {
    if (random.chance(0.6))
      return encodeURIComponent(
        random.chance(0.7) ? random.pick(fixtures.ids) : String(plausibleValue(random, undefined)),
      );
    kinds.push('path');
    return random.pick<() => string>([
      () => '..%2F..%2F..%2Fetc%2Fpasswd',
      () => '%2e%2e%2f%2e%2e%2f',
      () => '..',
      () => '.',
      () => '%00',
      () => 'a%00b',
      () => '%zz',
      () => '%',
      () => '%C0%AF',
      () => '%ED%A0%80',
      () => 'x'.repeat(random.int(90, 400)),
      () => percentEncode(hostileString(random).slice(0, random.int(1, 300))),
      () => '%20',
      () => '~',
      () => encodeURIComponent('{"$ne":null}'),
      () => '*',
    ])();
  });
}

function buildQuery(
  random: Random,
  operation: Operation,
  fixtures: FuzzFixtures,
  kinds: string[],
): string {
  if (random.chance(0.5)) return '';
  const pairs: string[] = [];
  for (const parameter of operation.query) {
    if (random.chance(0.5)) continue;
    const value = random.chance(0.4)
      ? String(plausibleValue(random, parameter.schema, random.pick(fixtures.ids)))
      : asText(hostileValue(random)).slice(0, 4000);
    pairs.push(`${parameter.name}=${percentEncode(value)}`);
  }
  if (random.chance(0.4)) {
    kinds.push('query');
    const name = random.pick([...operation.query.map((p) => p.name), 'page', 'token', 'x']);
    pairs.push(
      random.pick<() => string>([
        () => `${name}=1&${name}=2`,
        () => `${name}[]=1&${name}[]=2`,
        () => `${name}[a][b]=1`,
        () => `__proto__[admin]=true`,
        () => `constructor[prototype][admin]=true`,
        () => `${name}`,
        () => `${name}=`,
        () => '&&&==&',
        () => `${name}=%zz`,
        () => `${name}=%00`,
        () => `${name}=${'9'.repeat(400)}`,
        () => `${name}=-1`,
        () => `${name}=1.5`,
        () => `${name}=1e3`,
        () => `${name}=0x10`,
        () => `${name}=Infinity`,
        () => Array.from({ length: random.int(100, 1500) }, (_, i) => `p${i}=${i}`).join('&'),
        () => `${name}=${percentEncode('\u0000\ud800😀')}`,
      ])(),
    );
  }
  return pairs.length === 0 ? '' : `?${pairs.join('&')}`;
}

function authorization(
  random: Random,
  operation: Operation,
  fixtures: FuzzFixtures,
  headers: Array<[string, string]>,
  kinds: string[],
): void {
  const valid = random.pick(
    SELF_REVOKING.has(`${operation.method} ${operation.path}`)
      ? fixtures.expendableTokens
      : fixtures.bearerTokens,
  );
  const choice = random.weighted<() => string | undefined>([
    [operation.bearer ? 45 : 5, () => `Bearer ${valid}`],
    [15, () => undefined],
    [3, () => 'Bearer'],
    [3, () => 'Bearer '],
    [3, () => `bearer ${valid}`],
    [3, () => `Bearer  ${valid}`],
    [3, () => `Bearer ${valid}x`],
    [3, () => `Bearer ${valid.split('.').slice(0, 2).join('.')}.`],
    [3, () => `Bearer ${forgedToken(random, valid)}`],
    [3, () => `Bearer ${random.pick(fixtures.refreshTokens)}`],
    [
      3,
      () => `Basic ${Buffer.from(`${hostileString(random).slice(0, 100)}:x`).toString('base64')}`,
    ],
    [3, () => `Bearer ${headerSafe(hostileString(random)).slice(0, 12_000)}`],
    [2, () => 'Negotiate abc'],
    [2, () => `Bearer ${'a.'.repeat(2000)}`],
  ])();
  if (choice === undefined) return;
  if (!choice.startsWith(`Bearer ${valid}`) || choice.length !== `Bearer ${valid}`.length)
    kinds.push('auth');
  headers.push(['Authorization', choice]);
  if (random.chance(0.03)) {
    headers.push(['Authorization', 'Bearer second']);
    kinds.push('auth-twice');
  }
}

/** A JWT with the right shape and a tampered header or claims. */
function forgedToken(random: Random, valid: string): string {
  const [header, payload] = valid.split('.');
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<
    string,
    unknown
  >;
  return random.pick<() => string>([
    () => `${encode({ alg: 'none', typ: 'JWT' })}.${payload}.`,
    () => `${encode({ alg: 'HS256', typ: 'JWT' })}.${payload}.${encode('sig')}`,
    () => `${header}.${encode({ ...claims, role: 'admin', exp: 9_999_999_999 })}.sig`,
    () => `${encode({ alg: 'RS256', kid: '../../../../dev/null' })}.${payload}.sig`,
    () => `${header}.${encode(hostileValue(random))}.sig`,
    () => `${encode({ alg: 'ES256', jku: 'http://evil.example/jwks' })}.${payload}.sig`,
  ])();
}

function buildBody(
  random: Random,
  schema: Schema | undefined,
  documentedType: string,
  fixtures: FuzzFixtures,
  kinds: string[],
): { body: Buffer; contentType?: string } {
  let contentType: string | undefined = documentedType;
  if (random.chance(0.15)) {
    kinds.push('content-type');
    contentType = random.chance(0.15) ? undefined : random.pick(WRONG_CONTENT_TYPES);
  }
  const fields = plausibleObject(random, schema, fixtures);
  const form = documentedType === 'application/x-www-form-urlencoded';
  const body = random.weighted<() => Buffer>([
    [25, () => encodeBody(form, fields)],
    [
      20,
      () => {
        kinds.push('field');
        const names = Object.keys(fields);
        const name =
          names.length > 0 && random.chance(0.8)
            ? random.pick(names)
            : hostileString(random).slice(0, 200);
        return encodeBody(form, { ...fields, [name]: hostileValue(random) });
      },
    ],
    [
      8,
      () => {
        kinds.push('missing');
        const copy = { ...fields };
        for (const name of Object.keys(copy)) if (random.chance(0.5)) delete copy[name];
        return encodeBody(form, copy);
      },
    ],
    [
      8,
      () => {
        kinds.push('extra');
        const extra: Record<string, unknown> = {};
        for (let i = random.int(1, random.chance(0.1) ? 3000 : 5); i > 0; i--)
          extra[hostileString(random).slice(0, 100) || 'k'] = hostileValue(random);
        return encodeBody(form, { ...fields, ...extra });
      },
    ],
    [
      8,
      () => {
        kinds.push('top-level');
        return Buffer.from(
          JSON.stringify(
            random.pick<unknown>([[fields], 'text', 42, null, true, [], hostileString(random)]),
          ),
        );
      },
    ],
    [
      12,
      () => {
        kinds.push('bad-json');
        return Buffer.from(random.pick(BAD_JSON));
      },
    ],
    [
      6,
      () => {
        kinds.push('deep');
        const fieldsText = JSON.stringify(fields).slice(1, -1);
        return Buffer.from(
          `{${fieldsText}${fieldsText ? ',' : ''}"nested":${deepJson(random, random.int(30, 20_000))}}`,
        );
      },
    ],
    [
      5,
      () => {
        kinds.push('large');
        return Buffer.from(
          JSON.stringify({ ...fields, pad: 'p'.repeat(random.int(60_000, 200_000)) }),
        );
      },
    ],
    [
      4,
      () => {
        kinds.push('bytes');
        return Buffer.from(Array.from({ length: random.int(1, 400) }, () => random.int(0, 255)));
      },
    ],
    [
      4,
      () => {
        kinds.push('form-garbage');
        return Buffer.from(
          random.pick([
            'a=%zz',
            '=&=&',
            'grant_type[]=x',
            `token=${'t'.repeat(70_000)}`,
            'a'.repeat(500),
            '%00=%00',
          ]),
        );
      },
    ],
  ])();
  return { body, contentType };
}

function plausibleObject(
  random: Random,
  schema: Schema | undefined,
  fixtures: FuzzFixtures,
): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(schema?.properties ?? {})) {
    const real = /refresh_?token|refreshToken|^token$/i.test(name)
      ? random.pick(fixtures.refreshTokens)
      : random.pick(fixtures.ids);
    if (random.chance(0.9))
      fields[name] = plausibleValue(random, property, random.chance(0.5) ? real : undefined);
  }
  return fields;
}

function encodeBody(form: boolean, fields: Record<string, unknown>): Buffer {
  if (!form) return Buffer.from(JSON.stringify(fields));
  return Buffer.from(
    Object.entries(fields)
      .map(([name, value]) => `${percentEncode(name)}=${percentEncode(asText(value))}`)
      .join('&'),
  );
}

/** Oversized, repeated, contradictory or forbidden headers on an otherwise plausible request. */
function headerAbuse(random: Random, operation: Operation, fixtures: FuzzFixtures): Draft {
  const draft = operationRequest(random, operation, fixtures);
  const [kind, headers] = random.pick<() => [string, Array<[string, string]>]>([
    () => ['giant header', [['X-Big', 'h'.repeat(random.int(16_500, 80_000))]]],
    () => [
      'many headers',
      Array.from({ length: random.int(200, 3000) }, (_, i): [string, string] => [
        `X-H${i}`,
        'v'.repeat(random.int(1, 20)),
      ]),
    ],
    () => [
      'giant cookie',
      [['Cookie', Array.from({ length: 2000 }, (_, i) => `c${i}=v`).join('; ')]],
    ],
    () => ['hostile header value', [['X-Evil', headerSafe(hostileString(random)).slice(0, 8000)]]],
    () => [
      'host',
      [['Host', random.pick(['', 'evil.example', 'a'.repeat(5000), '[::1', 'localhost:99999'])]],
    ],
    () => [
      'forwarded',
      [
        [
          'X-Forwarded-For',
          random.pick([
            '1.2.3.4',
            'not-an-ip',
            '::ffff:1.1.1.1, 2.2.2.2',
            '',
            '1.1.1.1'.repeat(500),
          ]),
        ],
      ],
    ],
    () => [
      'accept',
      [['Accept', random.pick(['text/html', 'application/xml', '*/*;q=abc', 'x'.repeat(3000)])]],
    ],
    () => [
      'encoding',
      [['Content-Encoding', random.pick(['gzip', 'br', 'deflate', 'identity', 'x'])]],
    ],
    () => [
      'accept-encoding',
      [['Accept-Encoding', random.pick(['gzip', 'br;q=2', '*', 'x'.repeat(2000)])]],
    ],
    () => [
      'connection',
      [
        ['Connection', random.pick(['Upgrade', 'keep-alive, Upgrade', 'x-evil'])],
        ['Upgrade', random.pick(['websocket', 'h2c', 'x'])],
      ],
    ],
    () => [
      'range',
      [
        [
          'Range',
          random.pick(['bytes=0-1', 'bytes=-1', 'bytes=a-b', `bytes=${'0-1,'.repeat(500)}0-1`]),
        ],
      ],
    ],
  ])();
  return {
    ...draft,
    kind: `headers: ${kind}`,
    headers: [
      ...draft.headers.filter(([name]) => !(kind === 'host' && name === 'Host')),
      ...headers,
    ],
  };
}

/** A request whose URL is longer than the server's limit (414), or than Node's header limit (431). */
function longUrl(random: Random, operation: Operation): Draft {
  const length = random.weighted([
    [5, random.int(8 * 1024 + 1, 15 * 1024)],
    [2, random.int(17 * 1024, 60 * 1024)],
    [1, random.int(7 * 1024, 8 * 1024)],
  ]);
  const inQuery = random.chance(0.5);
  const path = inQuery ? operation.path.replace(/\{[^}]+\}/g, 'x') : `/${'a'.repeat(length)}`;
  const query = inQuery ? `?q=${'b'.repeat(length)}` : '';
  return {
    kind: `long URL (${length} bytes, in the ${inQuery ? 'query' : 'path'})`,
    method: operation.method,
    path,
    query,
    headers: [],
  };
}

/** Bytes that are not a valid HTTP/1.1 request; each on a connection of its own. */
function malformedRequest(random: Random, operation: Operation): FuzzRequest {
  const path = operation.path.replace(/\{[^}]+\}/g, 'x');
  const [kind, text] = random.pick<() => [string, string | Buffer]>([
    () => [
      'unknown method',
      `${random.pick(['FOO', 'GETT', 'BREW', 'X', 'HELLO-WORLD', 'get', 'Post'])} ${path} HTTP/1.1\r\nHost: a\r\n\r\n`,
    ],
    () => ['method with a bad character', `GE\u0000T ${path} HTTP/1.1\r\nHost: a\r\n\r\n`],
    () => ['no version', `GET ${path}\r\n\r\n`],
    () => [
      'bad version',
      `GET ${path} HTTP/${random.pick(['2.0', '1.2', '9.9', 'x', '1'])}\r\nHost: a\r\n\r\n`,
    ],
    () => ['HTTP/1.0 without Host', `GET ${path} HTTP/1.0\r\n\r\n`],
    () => [
      'HTTP/1.1 without Host',
      `${operation.method} ${path} HTTP/1.1\r\nContent-Length: 0\r\n\r\n`,
    ],
    () => ['two Hosts', `GET ${path} HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n`],
    () => ['extra spaces', `GET  ${path}  HTTP/1.1\r\nHost: a\r\n\r\n`],
    () => ['space in the target', `GET /a b HTTP/1.1\r\nHost: a\r\n\r\n`],
    () => ['bare LF', `GET ${path} HTTP/1.1\nHost: a\n\n`],
    () => ['bare CR', `GET ${path} HTTP/1.1\rHost: a\r\r`],
    () => ['header without colon', `GET ${path} HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n`],
    () => ['space before colon', `GET ${path} HTTP/1.1\r\nHost: a\r\nX-A : b\r\n\r\n`],
    () => ['obs-fold', `GET ${path} HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n`],
    () => ['NUL in a header', `GET ${path} HTTP/1.1\r\nHost: a\r\nX-A: b\u0000c\r\n\r\n`],
    () => ['control in a header name', `GET ${path} HTTP/1.1\r\nHost: a\r\nX\u0001A: b\r\n\r\n`],
    () => [
      'non-ASCII in the target',
      Buffer.concat([
        Buffer.from(`GET ${path}/`),
        Buffer.from([0xc3, 0xa9, 0xff]),
        Buffer.from(' HTTP/1.1\r\nHost: a\r\n\r\n'),
      ]),
    ],
    () => [
      'two Content-Lengths',
      `POST ${path} HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`,
    ],
    () => [
      'bad Content-Length',
      `POST ${path} HTTP/1.1\r\nHost: a\r\nContent-Length: ${random.pick(['-1', 'abc', '1.5', '0x10', '99999999999999999999'])}\r\n\r\n{}`,
    ],
    () => [
      'Transfer-Encoding and Content-Length',
      `POST ${path} HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
    ],
    () => [
      'unknown Transfer-Encoding',
      `POST ${path} HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ${random.pick(['gzip', 'chunked, gzip', 'x', 'chunked, chunked'])}\r\n\r\n{}`,
    ],
    () => [
      'bad chunk',
      `POST ${path} HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${random.pick(['zz', '-1', 'fffffffffffffffff', '2;x=\u0000'])}\r\n{}\r\n0\r\n\r\n`,
    ],
    () => ['HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
    () => [
      'TLS handshake',
      Buffer.from([
        0x16,
        0x03,
        0x01,
        0x00,
        0xa5,
        0x01,
        0x00,
        0x00,
        0xa1,
        0x03,
        0x03,
        ...Array.from({ length: 40 }, () => random.int(0, 255)),
      ]),
    ],
    () => [
      'random bytes',
      Buffer.concat([
        Buffer.from(Array.from({ length: random.int(1, 300) }, () => random.int(0, 255))),
        Buffer.from('\r\n\r\n'),
      ]),
    ],
    // Not blank: empty lines before a request are allowed (and wait for the request).
    () => ['random text', `${hostileString(random).slice(0, 200).trim() || '?'}\r\n\r\n`],
    () => ['asterisk target', `OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n`],
    () => ['absolute target', `GET http://evil.example${path} HTTP/1.1\r\nHost: a\r\n\r\n`],
    () => ['authority target', `GET evil.example:443 HTTP/1.1\r\nHost: a\r\n\r\n`],
    () => ['leading empty lines', `\r\n\r\nGET ${path} HTTP/1.1\r\nHost: a\r\n\r\n`],
  ])();
  return {
    kind: `malformed: ${kind}`,
    method: /^[A-Z]+/.exec(text.toString('latin1'))?.[0] ?? '?',
    path,
    bytes: Buffer.isBuffer(text) ? text : Buffer.from(text, 'latin1'),
    head: false,
    fresh: true,
    // Not closed after sending: Node takes a client's FIN as the request being abandoned
    // (a slower answer, /health on PostgreSQL, would then rightly never come). So every case
    // here is complete enough to be answered: each ends its head with an empty line.
    halfClose: false,
  };
}

/** A request cut short, then the client's side closed: the server sees the end of the stream. */
function truncatedRequest(random: Random, operation: Operation): FuzzRequest {
  const path = operation.path.replace(/\{[^}]+\}/g, 'x');
  const [kind, text] = random.pick<() => [string, string]>([
    () => ['mid request line', `POST ${path}`],
    () => ['mid headers', `POST ${path} HTTP/1.1\r\nHost: a\r\nContent-Ty`],
    () => [
      'short body',
      `POST ${path} HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":`,
    ],
    () => [
      'unfinished chunks',
      `POST ${path} HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"a":`,
    ],
  ])();
  return {
    kind: `truncated: ${kind}`,
    method: 'POST',
    path,
    bytes: Buffer.from(text, 'latin1'),
    head: false,
    fresh: true,
    halfClose: true,
  };
}

function connectRequest(random: Random): FuzzRequest {
  const target = random.pick(['example.com:443', '127.0.0.1:22', '/auth/token', '[::1]:80', '*']);
  return {
    kind: `CONNECT ${target}`,
    method: 'CONNECT',
    path: target,
    bytes: Buffer.from(
      `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n${random.chance(0.3) ? 'tunnel bytes' : ''}`,
      'latin1',
    ),
    head: false,
    fresh: true,
    halfClose: false,
  };
}

function serialize(draft: Draft): FuzzRequest {
  const lines = [`${draft.method} ${draft.path}${draft.query} HTTP/1.1`];
  if (!draft.headers.some(([name]) => name.toLowerCase() === 'host')) lines.push('Host: 127.0.0.1');
  for (const [name, value] of draft.headers) lines.push(`${name}: ${value}`);
  const body = draft.body ?? Buffer.alloc(0);
  // Always the true length: on a kept-alive connection a wrong one would leave the server
  // waiting for bytes, or reading our next request as this one's body.
  if (body.length > 0 || draft.method !== 'GET') lines.push(`Content-Length: ${body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return {
    kind: draft.kind,
    method: draft.method,
    path: draft.path,
    bytes: Buffer.concat([head, body]),
    head: draft.method === 'HEAD',
    fresh: false,
    halfClose: false,
  };
}

/** A value as a query or form field carries it: strings as they are, the rest as JSON. */
function asText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}

/** Percent-encodes UTF-8 bytes (lone surrogates become U+FFFD, as on any real client). */
function percentEncode(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

/** A header value that still frames as one header line (no CR or LF); other bytes stay hostile. */
function headerSafe(text: string): string {
  return Buffer.from(text.replace(/[\r\n]/g, ' '), 'utf8').toString('latin1');
}
