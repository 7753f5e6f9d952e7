import type { Type } from '@nestjs/common';
import type { ProfileName } from './profile-names';
import { AuthenticateRefreshModule } from './authenticate-refresh/authenticate-refresh.module';
import { LoginRefreshTokenModule } from './login-refresh-token/login-refresh-token.module';
import { WalletRefreshModule } from './wallet-refresh/wallet-refresh.module';

/** The wire formats of other products' refresh APIs, served over the same sessions. */
export const PROFILE_MODULES: Record<ProfileName, Type> = {
  /** POST /api/v1/authenticate/refresh: `{refreshToken}` to `{jwtToken, refreshToken}`. */
  'authenticate-refresh': AuthenticateRefreshModule,
  /** POST /api/login/refresh-token: `{refreshToken}` to `{accessToken, refreshToken, expiresIn, tokenType}`. */
  'login-refresh-token': LoginRefreshTokenModule,
  /** POST /api/v2/wallet/refresh (x-client-secret): single-use wallet tokens. */
  'wallet-refresh': WalletRefreshModule,
};
