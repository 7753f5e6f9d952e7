import { Inject, Injectable } from '@nestjs/common';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { AUTH_OPTIONS, type ResolvedAuthOptions } from '../auth.module-definition';
import { nowMs } from '../common/clock';
import { KeyEncryption } from './key-encryption';
import { type KeyRingSealer, Sealer, sealedKeyId } from './sealer';
import type { PublicJwk } from './signing-key-material';
import type { SigningKeyEntity } from './signing-key.entity';
import { SigningKeysRepository } from './signing-keys.repository';

export type { PublicJwk } from './signing-key-material';

export interface ActiveSigningKey {
  kid: string;
  privateKey: KeyObject;
  /** When it became active (epoch ms): the automatic rotation's clock. */
  activatedAt: number;
}

/**
 * How long past a retired key's retirement it stays trusted beyond the longest token
 * lifetime: another instance may sign with it until its next reload, and clocks drift.
 */
const RETIRED_MARGIN_MS = 60_000;

/** What this instance holds of the shared key set; replaced whole by each reload. */
interface KeyRing {
  active: ActiveSigningKey | undefined;
  /** Next, active and recently retired keys: published, and trusted to verify. */
  jwks: PublicJwk[];
  verification: Map<string, KeyObject>;
  /** Private halves of the active and retired keys, from which the sealers derive. */
  sealing: Map<string, KeyObject>;
}

/**
 * Holds the signing-key set in memory, as last read from the database: the key to sign with,
 * the keys to verify with and to publish, and the sealers. Every instance reloads it every
 * `signingKeyReloadIntervalMs` (SigningKeyLifecycleService drives it), so a rotation or a
 * revocation made anywhere reaches every instance within that interval, while signing and
 * verifying read memory only.
 */
@Injectable()
export class SigningKeysService {
  private ring: KeyRing = {
    active: undefined,
    jwks: [],
    verification: new Map(),
    sealing: new Map(),
  };
  /** Parsed and decrypted keys by kid, so a reload only does work for keys it has not seen. */
  private parsedPublic = new Map<string, { jwk: PublicJwk; key: KeyObject }>();
  private openedPrivate = new Map<string, KeyObject>();
  private sealers = new Map<string, Sealer>();
  private readonly ringSealers = new Map<string, KeyRingSealer>();

  constructor(
    private readonly keys: SigningKeysRepository,
    private readonly encryption: KeyEncryption,
    @Inject(AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
  ) {}

  get signingKey(): ActiveSigningKey {
    if (!this.ring.active) throw new Error('Signing keys are not loaded yet');
    return this.ring.active;
  }

  /** True once a key to sign with is loaded (health). */
  get loaded(): boolean {
    return this.ring.active !== undefined;
  }

  /** The public JWK set served at /.well-known/jwks.json: next, active and retired keys. */
  get publishedKeys(): PublicJwk[] {
    return this.ring.jwks;
  }

  /**
   * The verification key for a `kid`: only keys of the set as last loaded, so a revoked key
   * (or one retired longer than any token lives) verifies nothing.
   */
  verificationKey(kid: string): KeyObject | undefined {
    return this.ring.verification.get(kid);
  }

  /** Whether tokens signed by `kid` may still be honoured: caches of verified tokens ask. */
  trusts(kid: string): boolean {
    return this.ring.verification.has(kid);
  }

  /**
   * A symmetric sealer for one purpose, derived from the signing keys: every instance sharing
   * the database derives the same one, and no further secret has to be stored. It seals under
   * the active key and opens values sealed under any key still held (so a rotation does not
   * lose them); once a key is revoked, what it sealed no longer opens.
   */
  sealerFor(purpose: string): KeyRingSealer {
    let sealer = this.ringSealers.get(purpose);
    if (!sealer) {
      sealer = {
        seal: (plaintext) =>
          (this.sealerOf(this.signingKey.kid, purpose) as Sealer).seal(plaintext),
        open: (sealed) => this.sealerOf(sealedKeyId(sealed), purpose)?.open(sealed),
      };
      this.ringSealers.set(purpose, sealer);
    }
    return sealer;
  }

  /** Reads the key set and replaces the one in memory. */
  async reload(): Promise<void> {
    const now = nowMs();
    const rows = await this.keys.findLoadable(now - this.retiredTrustMs());
    this.ring = this.build(rows);
  }

  private retiredTrustMs(): number {
    const { accessTokenTtlSeconds, walletTokenTtlSeconds, refreshReuseGraceSeconds } = this.options;
    // The grace window's sealed successors must open for as long as a retry may come.
    return (
      Math.max(accessTokenTtlSeconds, walletTokenTtlSeconds, refreshReuseGraceSeconds) * 1000 +
      RETIRED_MARGIN_MS
    );
  }

  private build(rows: SigningKeyEntity[]): KeyRing {
    const parsedPublic = new Map<string, { jwk: PublicJwk; key: KeyObject }>();
    const openedPrivate = new Map<string, KeyObject>();
    const ring: KeyRing = {
      active: undefined,
      jwks: [],
      verification: new Map(),
      sealing: new Map(),
    };
    for (const row of rows) {
      const parsed = this.parsedPublic.get(row.kid) ?? parsePublic(row.publicJwk);
      parsedPublic.set(row.kid, parsed);
      ring.jwks.push(parsed.jwk);
      ring.verification.set(row.kid, parsed.key);
      if (row.status === 'active' || row.status === 'retired') {
        const privateKey =
          this.openedPrivate.get(row.kid) ??
          createPrivateKey(this.encryption.open(row.privateKey).pem);
        openedPrivate.set(row.kid, privateKey);
        ring.sealing.set(row.kid, privateKey);
        if (row.status === 'active') {
          ring.active = {
            kid: row.kid,
            privateKey,
            activatedAt: row.activatedAt ?? row.createdAt,
          };
        }
      }
    }
    // Forget what belongs to keys no longer held (revoked, or retired long enough).
    this.parsedPublic = parsedPublic;
    this.openedPrivate = openedPrivate;
    this.sealers = new Map(
      [...this.sealers].filter(([name]) => ring.sealing.has(name.slice(0, name.indexOf(':')))),
    );
    return ring;
  }

  private sealerOf(kid: string, purpose: string): Sealer | undefined {
    const privateKey = this.ring.sealing.get(kid);
    if (!privateKey) return undefined;
    const name = `${kid}:${purpose}`;
    let sealer = this.sealers.get(name);
    if (!sealer) {
      sealer = new Sealer(kid, privateKey, purpose);
      this.sealers.set(name, sealer);
    }
    return sealer;
  }
}

function parsePublic(publicJwk: string): { jwk: PublicJwk; key: KeyObject } {
  const jwk = JSON.parse(publicJwk) as PublicJwk;
  return { jwk, key: createPublicKey({ key: jwk, format: 'jwk' }) };
}
