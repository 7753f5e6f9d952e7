import { createHash, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import type { KeyEncryption } from './key-encryption';
import { SigningKeyEntity, type SigningKeyStatus } from './signing-key.entity';

export interface PublicJwk extends JsonWebKey {
  kid: string;
  alg: string;
  use: 'sig';
}

/** A fresh ES256 key pair as a row: the private half sealed, the `kid` its RFC 7638 thumbprint. */
export function generateSigningKey(
  encryption: KeyEncryption,
  status: Extract<SigningKeyStatus, 'next' | 'active'>,
  now: number,
): SigningKeyEntity {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const entity = new SigningKeyEntity();
  entity.kid = thumbprint(jwk);
  entity.algorithm = 'ES256';
  entity.status = status;
  const published: PublicJwk = {
    kty: jwk.kty,
    crv: jwk.crv,
    x: jwk.x,
    y: jwk.y,
    kid: entity.kid,
    alg: 'ES256',
    use: 'sig',
  };
  entity.publicJwk = JSON.stringify(published);
  entity.privateKey = encryption.seal(
    privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  );
  entity.createdAt = now;
  entity.activatedAt = status === 'active' ? now : null;
  entity.retiredAt = null;
  entity.revokedAt = null;
  return entity;
}

/** RFC 7638 JWK thumbprint: a `kid` derived from the key itself. */
function thumbprint(jwk: JsonWebKey): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}
