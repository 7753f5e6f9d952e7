import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { SessionsModule } from '../sessions/sessions.module';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeysService } from './api-keys.service';
import { ApiUsersRepository } from './api-users.repository';
import { ApiUsersService } from './api-users.service';
import { BootstrapAdminService } from './bootstrap-admin.service';
import { FailedAttemptsLimiter } from './failed-attempts.limiter';
import { SharedLockouts } from './shared-lockouts';
import { UnknownKeyFailuresAudit } from './unknown-key-failures.audit';

@Module({
  imports: [AuditModule, SessionsModule],
  providers: [
    ApiUsersRepository,
    ApiKeysRepository,
    ApiUsersService,
    ApiKeysService,
    BootstrapAdminService,
    FailedAttemptsLimiter,
    SharedLockouts,
    UnknownKeyFailuresAudit,
  ],
  exports: [ApiUsersService, ApiKeysService, BootstrapAdminService],
})
export class ApiUsersModule {}
