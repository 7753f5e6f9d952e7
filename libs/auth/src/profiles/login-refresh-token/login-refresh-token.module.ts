import { Module } from '@nestjs/common';
import { TokenModule } from '../../token/token.module';
import { LoginRefreshTokenController } from './login-refresh-token.controller';

@Module({ imports: [TokenModule], controllers: [LoginRefreshTokenController] })
export class LoginRefreshTokenModule {}
