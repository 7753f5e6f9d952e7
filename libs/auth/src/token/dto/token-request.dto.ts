import { IsString, Length, Matches } from 'class-validator';
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
}
