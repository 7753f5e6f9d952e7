import { IsString, Length, Matches } from 'class-validator';
import { BASE64URL_PATTERN } from '../../common/crypto';

export class RegisterDto {
  /** The one-time token returned by POST /api-users. */
  @IsString()
  @Length(1, 256)
  @Matches(BASE64URL_PATTERN, {
    message: 'registration_token must contain only base64url characters',
  })
  registration_token: string;
}

export class RegistrationDto {
  /** @example 019a8f2e-5c1d-7a3b-9c4d-2e8f6a1b3c5d */
  api_user_id: string;

  /** @example 2khK02ZRc_TE9nYJyGIfIQ */
  api_key_id: string;

  /** Shown only in this response; store it safely. */
  api_key_secret: string;
}
