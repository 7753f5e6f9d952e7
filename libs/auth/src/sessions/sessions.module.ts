import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';

@Module({
  imports: [AuditModule],
  providers: [SessionsRepository, RefreshTokensRepository, SessionsService],
  exports: [SessionsService],
})
export class SessionsModule {}
