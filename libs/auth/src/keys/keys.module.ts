import { Module } from '@nestjs/common';
import { AUTH_OPTIONS, type ResolvedAuthOptions } from '../auth.module-definition';
import { AuditModule } from '../audit/audit.module';
import { JwksController } from './jwks.controller';
import { KeyEncryption } from './key-encryption';
import { SigningKeyLifecycleService } from './signing-key-lifecycle.service';
import { SigningKeysRepository } from './signing-keys.repository';
import { SigningKeysService } from './signing-keys.service';

@Module({
  imports: [AuditModule],
  controllers: [JwksController],
  providers: [
    SigningKeysRepository,
    SigningKeysService,
    SigningKeyLifecycleService,
    {
      provide: KeyEncryption,
      inject: [AUTH_OPTIONS],
      useFactory: (options: ResolvedAuthOptions) =>
        new KeyEncryption(options.keyEncryptionSecret, options.previousKeyEncryptionSecret),
    },
  ],
  exports: [SigningKeysService, SigningKeyLifecycleService],
})
export class KeysModule {}
