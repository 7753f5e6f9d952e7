import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsISO8601,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { MAX_SCOPES, SCOPE_NAME_PATTERN } from '../../common/scopes';
import { NAME_PATTERN, NAME_RULE } from '../../common/validation';

/** At most this many CIDRs in a key's allow-list. */
export const MAX_ALLOWED_CIDRS = 50;

/** A key's name, scopes, expiry and allow-list, as every key object shows them. */
class ApiKeyRestrictionsDto {
  /** A label for people; not unique. @example nightly-report */
  name: string | null;

  /**
   * The scopes its tokens may carry (a request may narrow them with `scope`); null: no
   * restriction, tokens carry no `scope` claim unless one is asked for.
   * @example ["reports:read"]
   */
  scopes: string[] | null;

  /** From then on the key is refused like a revoked one; null: never. @example 2027-06-30T00:00:00.000Z */
  expires_at: string | null;

  /** The only addresses the key may be used from; null: any. @example ["203.0.113.0/24", "2001:db8::/32"] */
  allowed_cidrs: string[] | null;
}

export class ApiKeyDto extends ApiKeyRestrictionsDto {
  /** @example 2khK02ZRc_TE9nYJyGIfIQ */
  api_key_id: string;

  /** The last token exchange or refresh with the key, to within a minute; null: never used. */
  last_used_at: string | null;

  /** @example 2026-11-22T12:00:00.000Z */
  created_at: string;

  /** Set once the key is revoked; null while it works. */
  revoked_at: string | null;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  /** Shown only in this response; only its hash is stored. */
  api_key_secret: string;
}

/** `POST /api-users/{id}/api-keys`: every field optional; no body makes an unrestricted key. */
export class CreateApiKeyDto {
  /** A label for people, 1 to 100 characters. @example nightly-report */
  @IsOptional()
  @IsString()
  @Length(1, 100)
  @Matches(NAME_PATTERN, { message: `name ${NAME_RULE}` })
  name?: string;

  /**
   * Up to 50 scopes (declared by the server: `API_SCOPES`, or the module's `scopes`).
   * @example ["reports:read"]
   */
  @ApiPropertyOptional({ type: [String], maxItems: MAX_SCOPES })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_SCOPES)
  @IsString({ each: true })
  @Matches(SCOPE_NAME_PATTERN, {
    each: true,
    message: 'each scope must be 1 to 64 of A-Z a-z 0-9 : . _ -',
  })
  scopes?: string[];

  /**
   * When the key stops working: in the future, and within `API_KEY_MAX_LIFETIME_DAYS` when set.
   * @example 2027-06-30T00:00:00Z
   */
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  expires_at?: string;

  /**
   * Up to 50 IPv4 or IPv6 CIDRs (a bare address is one host); requests from elsewhere are refused.
   * @example ["203.0.113.0/24"]
   */
  @ApiPropertyOptional({ type: [String], maxItems: MAX_ALLOWED_CIDRS })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ALLOWED_CIDRS)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  allowed_cidrs?: string[];
}

/** The longest overlap of a rotation: 30 days. */
export const MAX_ROTATION_OVERLAP_SECONDS = 30 * 86_400;

/** `POST /api-users/{id}/api-keys/{api_key_id}/rotate`. */
export class RotateApiKeyDto {
  /**
   * How long the old key keeps working, in seconds (at most 30 days); it then expires.
   * @example 86400
   */
  @ApiPropertyOptional({ default: 86_400, minimum: 0, maximum: MAX_ROTATION_OVERLAP_SECONDS })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_ROTATION_OVERLAP_SECONDS)
  overlap_seconds?: number;
}
