import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { KeysModule } from '../../libs/auth/src/keys/keys.module';
import { DatabaseWriteProbe, WRITE_PROBE_TIMEOUT_MS } from './database-write.probe';
import { HealthController } from './health.controller';

@Module({})
export class HealthModule {
  /** `probeTimeoutMs`: how long readiness waits for the database's write (DATABASE_TIMEOUT_MS). */
  static register(probeTimeoutMs: number): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ logger: false }), KeysModule],
      controllers: [HealthController],
      providers: [
        DatabaseWriteProbe,
        { provide: WRITE_PROBE_TIMEOUT_MS, useValue: probeTimeoutMs },
      ],
    };
  }
}
