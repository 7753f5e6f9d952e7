import type { Type } from '@nestjs/common';
import type { ProfileName } from './profile-names';
import { Seed002Module } from './seed-002/seed-002.module';
import { Seed003Module } from './seed-003/seed-003.module';
import { Seed004Module } from './seed-004/seed-004.module';

/** The wire formats of other products' refresh APIs, served over the same sessions. */
export const PROFILE_MODULES: Record<ProfileName, Type> = {
  /** POST /api/v1/authenticate/refresh: `{refreshToken}` to `{jwtToken, refreshToken}`. */
  'seed-002': Seed002Module,
  /** POST /api/login/refresh-token: `{refreshToken}` to `{accessToken, refreshToken, expiresIn, tokenType}`. */
  'seed-003': Seed003Module,
  /** POST /api/v2/wallet/refresh (x-client-secret): single-use wallet tokens. */
  'seed-004': Seed004Module,
};
