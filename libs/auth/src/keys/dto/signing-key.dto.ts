import { ApiProperty } from '@nestjs/swagger';
import { SIGNING_KEY_STATUSES, type SigningKeyStatus } from '../signing-key.entity';

/** A signing key as admins see it: its life, never its material. */
export class SigningKeyDto {
  /** The key id (`kid` of the tokens it signs; RFC 7638 thumbprint). @example nbROiHs4ZsifkA46bgdtMgWlsQOWCFF7rPLBYxfYWus */
  kid: string;

  /** @example ES256 */
  alg: string;

  /**
   * `next`: published, not signing yet; `active`: signs new tokens; `retired`: published
   * until its tokens expire; `revoked`: withdrawn, its tokens refused.
   */
  @ApiProperty({ enum: SIGNING_KEY_STATUSES, example: 'active' })
  status: SigningKeyStatus;

  /** @example 2026-11-22T12:00:00.000Z */
  created_at: string;

  /** When it started signing; null while `next`. @example 2026-11-22T12:00:00.000Z */
  activated_at: string | null;

  /** When it stopped signing. @example null */
  retired_at: string | null;

  /** When it was revoked. @example null */
  revoked_at: string | null;
}

export class SigningKeyListDto {
  /** Every key, newest first. */
  @ApiProperty({ type: [SigningKeyDto] })
  keys: SigningKeyDto[];
}

export class RotatedSigningKeyDto {
  /** The new active key. @example nbROiHs4ZsifkA46bgdtMgWlsQOWCFF7rPLBYxfYWus */
  kid: string;
}
