import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { ApiUsersModule } from '../api-users/api-users.module';
import { AuditModule } from '../audit/audit.module';
import { KeysModule } from '../keys/keys.module';
import { SessionsModule } from '../sessions/sessions.module';
import { AccessTokenSigner } from './access-token.signer';
import { BearerAuthGuard } from './bearer-auth.guard';
import { BearerJwtStrategy } from './jwt.strategy';
import { TokenController } from './token.controller';
import { TokenService } from './token.service';
import { VerifiedTokenCache } from './verified-token.cache';
import { AccessTokenVerifier } from './access-token.verifier';
import { TokenRateLimitGuard, TokenRateLimitStorage } from './token-rate-limit.guard';

@Module({
  imports: [PassportModule, ApiUsersModule, SessionsModule, AuditModule, KeysModule],
  controllers: [TokenController],
  providers: [
    VerifiedTokenCache,
    AccessTokenVerifier,
    AccessTokenSigner,
    BearerJwtStrategy,
    BearerAuthGuard,
    TokenService,
    TokenRateLimitStorage,
    TokenRateLimitGuard,
  ],
  exports: [
    VerifiedTokenCache,
    AccessTokenVerifier,
    AccessTokenSigner,
    BearerAuthGuard,
    TokenService,
    TokenRateLimitGuard,
    TokenRateLimitStorage,
  ],
})
export class TokenModule {}
