export class WalletTokensDto {
  /** Single-use JWT for one call of the wallet operation endpoint; expires after a day unused. */
  walletToken: string;

  /** The rotated successor of the refresh token that was sent; the old one is spent. */
  refreshToken: string;
}

export class WalletRefreshResponseDto {
  /** @example 200 */
  status: number;

  /** @example Refresh Success */
  message: string;

  data: WalletTokensDto;
}

export class WalletRefreshStatusDto {
  /**
   * The HTTP status code of the response.
   * @example 401
   */
  status: number;

  /**
   * Additional information about the outcome.
   * @example Invalid client secret
   */
  message: string;
}
