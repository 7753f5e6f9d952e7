import { sign, verify, type KeyObject } from 'node:crypto';

export interface JwsHeader {
  alg: 'ES256';
  typ: string;
  kid: string;
}

const encodeJson = (value: object): string =>
  Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs a compact ES256 JWS with `node:crypto` directly (raw r||s signature, as JOSE wants). */
export function signEs256(encodedHeader: string, payload: object, privateKey: KeyObject): string {
  const signingInput = `${encodedHeader}.${encodeJson(payload)}`;
  const signature = sign('sha256', Buffer.from(signingInput), {
    key: privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${signingInput}.${signature.toString('base64url')}`;
}

export function encodeHeader(header: JwsHeader): string {
  return encodeJson(header);
}

/**
 * Verifies a compact ES256 JWS of the expected `typ` and returns its payload, or undefined
 * for anything else: another algorithm or type, an unknown key, a bad signature, bad JSON.
 */
export async function verifyEs256(
  token: string,
  expectedType: string,
  keyFor: (kid: string) => KeyObject | undefined | Promise<KeyObject | undefined>,
): Promise<Record<string, unknown> | undefined> {
  const parts = token.split('.');
  if (parts.length !== 3 || token.length > 8192) return undefined;
  const [encodedHeader, encodedPayload, encodedSignature] = parts;
  try {
    const header = JSON.parse(
      Buffer.from(encodedHeader, 'base64url').toString('utf8'),
    ) as Partial<JwsHeader>;
    if (header.alg !== 'ES256' || header.typ !== expectedType || typeof header.kid !== 'string')
      return undefined;
    const key = await keyFor(header.kid);
    if (!key) return undefined;
    const valid = verify(
      'sha256',
      Buffer.from(`${encodedHeader}.${encodedPayload}`),
      { key, dsaEncoding: 'ieee-p1363' },
      Buffer.from(encodedSignature, 'base64url'),
    );
    if (!valid) return undefined;
    const payload: unknown = JSON.parse(Buffer.from(encodedPayload, 'base64url').toString('utf8'));
    return typeof payload === 'object' && payload !== null
      ? (payload as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
