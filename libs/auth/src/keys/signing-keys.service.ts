import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { AUTH_OPTIONS, type ResolvedAuthOptions } from '../auth.module-definition';
import { nowMs } from '../common/clock';
import { KeyEncryption } from './key-encryption';
import { Sealer } from './sealer';
import { SigningKeyEntity } from './signing-key.entity';
import { SigningKeysRepository } from './signing-keys.repository';

export interface PublicJwk extends JsonWebKey {
  kid: string;
  alg: string;
  use: 'sig';
}

export interface ActiveSigningKey {
  kid: string;
  privateKey: KeyObject;
}

/** How often an unknown `kid` may trigger a reload: bounds the cost of forged headers. */
const RELOAD_INTERVAL_MS = 5_000;

/**
 * Owns the ES256 signing keys. The first instance to start generates one and stores it;
 * every instance then signs with the oldest active key, so all agree without coordination.
 */
@Injectable()
export class SigningKeysService implements OnModuleInit {
  private readonly logger = new Logger('SigningKeys');
  private readonly encryption: KeyEncryption;
  private active: ActiveSigningKey | undefined;
  private verificationKeys = new Map<string, KeyObject>();
  private jwks: PublicJwk[] = [];
  private lastLoad = 0;
  private readonly sealers = new Map<string, Sealer>();

  constructor(
    private readonly keys: SigningKeysRepository,
    @Inject(AUTH_OPTIONS) options: ResolvedAuthOptions,
  ) {
    this.encryption = new KeyEncryption(options.keyEncryptionSecret);
  }

  async onModuleInit(): Promise<void> {
    let active = await this.keys.findActive();
    if (active.length === 0) {
      await this.keys.insert(this.generate());
      this.logger.log('generated a new ES256 signing key');
      // Another instance may have inserted one at the same moment: re-read and take the oldest.
      active = await this.keys.findActive();
    }
    const signer = active[0];
    this.active = {
      kid: signer.kid,
      privateKey: createPrivateKey(this.encryption.open(signer.privateKey)),
    };
    await this.loadPublished();
  }

  get signingKey(): ActiveSigningKey {
    if (!this.active) throw new Error('Signing keys are not loaded yet');
    return this.active;
  }

  /**
   * A symmetric sealer for one purpose, derived from the active signing key: every instance
   * sharing the database derives the same one, and no further secret has to be stored.
   */
  sealerFor(purpose: string): Sealer {
    const { kid, privateKey } = this.signingKey;
    const key = `${kid}:${purpose}`;
    let sealer = this.sealers.get(key);
    if (!sealer) {
      sealer = new Sealer(kid, privateKey, purpose);
      this.sealers.set(key, sealer);
    }
    return sealer;
  }

  /** The public JWK set served at /.well-known/jwks.json. */
  get publishedKeys(): PublicJwk[] {
    return this.jwks;
  }

  /** The verification key for a `kid`, reloading (at most every few seconds) when unknown. */
  async verificationKey(kid: string): Promise<KeyObject | undefined> {
    const known = this.verificationKeys.get(kid);
    if (known || nowMs() - this.lastLoad < RELOAD_INTERVAL_MS) return known;
    await this.loadPublished();
    return this.verificationKeys.get(kid);
  }

  private async loadPublished(): Promise<void> {
    this.lastLoad = nowMs();
    const rows = await this.keys.findPublished(nowMs() - 7 * 86_400_000);
    this.jwks = rows.map((row) => JSON.parse(row.publicJwk) as PublicJwk);
    this.verificationKeys = new Map(
      this.jwks.map((jwk) => [jwk.kid, createPublicKey({ key: jwk, format: 'jwk' })]),
    );
  }

  private generate(): SigningKeyEntity {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const entity = new SigningKeyEntity();
    entity.kid = thumbprint(jwk);
    entity.algorithm = 'ES256';
    entity.publicJwk = JSON.stringify({
      kty: jwk.kty,
      crv: jwk.crv,
      x: jwk.x,
      y: jwk.y,
      kid: entity.kid,
      alg: 'ES256',
      use: 'sig',
    });
    entity.privateKey = this.encryption.seal(
      privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    );
    entity.createdAt = nowMs();
    entity.retiredAt = null;
    return entity;
  }
}

/** RFC 7638 JWK thumbprint: a `kid` derived from the key itself. */
function thumbprint(jwk: JsonWebKey): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}
