import { Module } from '@nestjs/common';
import { AuditEventsRepository } from './audit-events.repository';
import { AuditService } from './audit.service';

@Module({ providers: [AuditEventsRepository, AuditService], exports: [AuditService] })
export class AuditModule {}
