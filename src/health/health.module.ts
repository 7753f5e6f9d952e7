import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { KeysModule } from '../../libs/auth/src/keys/keys.module';
import { DatabaseWriteProbe } from './database-write.probe';
import { HealthController } from './health.controller';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), KeysModule],
  controllers: [HealthController],
  providers: [DatabaseWriteProbe],
})
export class HealthModule {}
