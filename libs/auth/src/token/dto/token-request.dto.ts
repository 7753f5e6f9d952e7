import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { BASE64URL_PATTERN } from '../../common/crypto';

export class TokenRequestDto {
  /**
   * The public id of your API key.
   * @example 2khK02ZRc_TE9nYJyGIfIQ
   */
  @IsString()
  @Length(16, 128)
  @Matches(BASE64URL_PATTERN, { message: 'api_key_id must contain only base64url characters' })
  api_key_id: string;

  /**
   * The API key secret, shown once when the key was created.
   * @example jI0X2n55EHnNaZasmzfOL36wXx6b4D7Wmw-riZCeGWE
   */
  @IsString()
  @Length(1, 256)
  api_key_secret: string;

  /**
   * Space-separated scopes, narrowing what the key grants (RFC 6749 §3.3); asking for a scope
   * the key does not carry is 400 `invalid_scope`. Absent: the key's scopes.
   * @example reports:read
   */
  @IsOptional()
  @IsString()
  @Length(1, 4000)
  scope?: string;

  /**
   * The resource server the access token is for (RFC 8707): it becomes the token's `aud`. One
   * of the server's allowed resources (`ALLOWED_RESOURCES`); another is 400 `invalid_target`.
   * Absent: the default audience (`JWT_AUDIENCE`). Refreshes keep it.
   * @example https://reports.example.com
   */
  @IsOptional()
  @IsString()
  @Length(1, 2048)
  resource?: string;
}
