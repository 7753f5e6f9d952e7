import { Module } from '@nestjs/common';
import { ApiUsersModule } from '../api-users/api-users.module';
import { KeysModule } from '../keys/keys.module';
import { SessionsModule } from '../sessions/sessions.module';
import { TokenModule } from '../token/token.module';
import { OAuthController, OAuthMetadataController } from './oauth.controller';
import { OAuthService } from './oauth.service';

@Module({
  imports: [TokenModule, SessionsModule, ApiUsersModule, KeysModule],
  controllers: [OAuthController, OAuthMetadataController],
  providers: [OAuthService],
})
export class OAuthModule {}
