import { Module } from '@nestjs/common';
import { ClientsModule } from '../../clients/clients.module';
import { KeysModule } from '../../keys/keys.module';
import { SessionsModule } from '../../sessions/sessions.module';
import { TokenModule } from '../../token/token.module';
import { ClientSecretGuard } from './client-secret.guard';
import { WalletRefreshController } from './wallet-refresh.controller';
import { WalletTokenCleanupService } from './wallet-token-cleanup.service';
import { WalletTokenGuard } from './wallet-token.guard';
import { WalletTokenService } from './wallet-token.service';
import { WalletTokensRepository } from './wallet-tokens.repository';

@Module({
  imports: [TokenModule, SessionsModule, KeysModule, ClientsModule],
  controllers: [WalletRefreshController],
  providers: [
    WalletTokensRepository,
    WalletTokenService,
    WalletTokenGuard,
    ClientSecretGuard,
    WalletTokenCleanupService,
  ],
  exports: [WalletTokenService, WalletTokenGuard, WalletTokenCleanupService],
})
export class WalletRefreshModule {}
