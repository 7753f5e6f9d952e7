import { Module } from '@nestjs/common';
import { TokenModule } from '../../token/token.module';
import { AuthenticateRefreshController } from './authenticate-refresh.controller';

@Module({ imports: [TokenModule], controllers: [AuthenticateRefreshController] })
export class AuthenticateRefreshModule {}
