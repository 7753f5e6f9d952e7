export class AuthenticateRefreshResponseDto {
  /** The new JWT access token. */
  jwtToken: string;

  /** The rotated successor of the refresh token that was sent; the old one is spent. */
  refreshToken: string;
}
