import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AUTH_OPTIONS, type ResolvedAuthOptions } from '../../auth.module-definition';
import { nowMs } from '../../common/clock';
import { UnitOfWork } from '../../database/unit-of-work';
import { encodeHeader, signEs256, verifyEs256 } from '../../keys/jws';
import { SigningKeysService } from '../../keys/signing-keys.service';
import type { Rotation } from '../../sessions/refresh-rotation.service';
import { SessionLivenessCache } from '../../sessions/session-liveness.cache';
import { WalletTokenEntity } from './wallet-token.entity';
import { WalletTokensRepository } from './wallet-tokens.repository';

/**
 * Its own JOSE type, so the core bearer guard (which wants `at+jwt`) never accepts one. A
 * resource server that checks only `iss` and `aud` ignores `typ`: the wallet audience
 * (never the access tokens') is what keeps a wallet token from passing there.
 */
export const WALLET_TOKEN_TYPE = 'wallet+jwt';

/** What a used wallet token vouches for. */
export interface WalletPrincipal {
  apiUserId: string;
  sessionId: string;
  tokenId: string;
}

/**
 * Seed 004's wallet token: an ES256 JWT (`typ: wallet+jwt`, `aud` = the wallet audience) good for one operation within
 * `walletTokenTtlSeconds`. Its `jti` is recorded at issue and marked used at first use.
 */
@Injectable()
export class WalletTokenService {
  constructor(
    private readonly tokens: WalletTokensRepository,
    private readonly keys: SigningKeysService,
    private readonly liveness: SessionLivenessCache,
    private readonly unitOfWork: UnitOfWork,
    @Inject(AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
  ) {}

  async issue(rotation: Rotation): Promise<string> {
    const now = nowMs();
    const entity = new WalletTokenEntity();
    entity.id = randomUUID();
    entity.sessionId = rotation.sessionId;
    entity.createdAt = now;
    entity.expiresAt = now + this.options.walletTokenTtlSeconds * 1000;
    entity.usedAt = null;
    await this.unitOfWork.write(() => this.tokens.insert(entity));
    const { kid, privateKey } = this.keys.signingKey;
    const iat = Math.floor(now / 1000);
    return signEs256(
      encodeHeader({ alg: 'ES256', typ: WALLET_TOKEN_TYPE, kid }),
      {
        iss: this.options.issuer,
        sub: rotation.apiUserId,
        aud: this.options.walletTokenAudience,
        client_id: rotation.apiKeyId,
        sid: rotation.sessionId,
        jti: entity.id,
        iat,
        exp: iat + this.options.walletTokenTtlSeconds,
      },
      privateKey,
    );
  }

  /** Uses a wallet token: its principal the first time, undefined ever after (or if invalid). */
  async redeem(token: string): Promise<WalletPrincipal | undefined> {
    const claims = await verifyEs256(token, WALLET_TOKEN_TYPE, (kid) =>
      this.keys.verificationKey(kid),
    );
    if (!claims) return undefined;
    const { iss, aud, sub, sid, jti, exp } = claims;
    const now = nowMs();
    if (
      iss !== this.options.issuer ||
      aud !== this.options.walletTokenAudience ||
      typeof sub !== 'string' ||
      typeof sid !== 'string' ||
      typeof jti !== 'string' ||
      typeof exp !== 'number' ||
      exp * 1000 <= now
    ) {
      return undefined;
    }
    if (!(await this.liveness.isLive(sid))) return undefined;
    if (!(await this.unitOfWork.write(() => this.tokens.use(jti, now)))) return undefined;
    return { apiUserId: sub, sessionId: sid, tokenId: jti };
  }
}
