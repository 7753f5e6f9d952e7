import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { KeysModule } from '../keys/keys.module';
import { KeyUsageRecorder } from './key-usage.recorder';
import { RefreshRotationService } from './refresh-rotation.service';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { SessionCleanupService } from './session-cleanup.service';
import { SessionHeadroomTracker } from './session-headroom.tracker';
import { UnansweredRotations } from './unanswered-rotations';
import { SessionLivenessCache } from './session-liveness.cache';
import { SessionsController } from './sessions.controller';
import { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';
import { RevocationFanout } from './revocation-fanout';

@Module({
  imports: [AuditModule, KeysModule],
  controllers: [SessionsController],
  providers: [
    SessionsRepository,
    RefreshTokensRepository,
    SessionsService,
    SessionLivenessCache,
    SessionHeadroomTracker,
    UnansweredRotations,
    RefreshRotationService,
    SessionCleanupService,
    KeyUsageRecorder,
    RevocationFanout,
  ],
  exports: [
    RefreshTokensRepository,
    SessionsService,
    SessionLivenessCache,
    RefreshRotationService,
    SessionCleanupService,
    KeyUsageRecorder,
  ],
})
export class SessionsModule {}
