import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ApiUsersController } from './api-users.controller';
import { ApiUsersModule } from './api-users.module';

/** The admin API's /api-users routes, apart from the services so a host can leave them out. */
@Module({ imports: [ApiUsersModule, AuditModule], controllers: [ApiUsersController] })
export class ApiUsersRoutesModule {}
