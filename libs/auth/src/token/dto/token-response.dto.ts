import { ApiProperty } from '@nestjs/swagger';

export class TokenResponseDto {
  /** ES256-signed JWT (RFC 9068, `typ: at+jwt`); verify it with /.well-known/jwks.json. */
  access_token: string;

  /**
   * Lifetime of the access token in seconds.
   * @example 300
   */
  expires_in: number;

  /** Opaque, single-use refresh token. Exchange it at POST /auth/token/refresh. */
  refresh_token: string;

  /**
   * The session id, also the `sid` claim of the access token.
   * @example 019a8f2e-5c1d-7a3b-9c4d-2e8f6a1b3c5d
   */
  session_state: string;

  @ApiProperty({ enum: ['Bearer'], example: 'Bearer' })
  token_type: 'Bearer';
}
