import { ApiProperty } from '@nestjs/swagger';

export class LoginRefreshTokenResponseDto {
  /** Newly generated JWT access token. */
  accessToken: string;

  /** Newly issued refresh token (the one sent is spent). */
  refreshToken: string;

  /**
   * Token expiration time in seconds.
   * @example 300
   */
  expiresIn: number;

  /** Authentication scheme used. */
  @ApiProperty({ enum: ['Bearer'], example: 'Bearer' })
  tokenType: 'Bearer';
}

export class LoginRefreshTokenErrorDto {
  /**
   * HTTP status code, as a string.
   * @example 401
   */
  code: string;

  /**
   * Error message describing why the request failed.
   * @example RefreshToken Expired
   */
  response: string;
}
