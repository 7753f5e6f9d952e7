import { Module } from '@nestjs/common';
import { JwksController } from './jwks.controller';
import { SigningKeysRepository } from './signing-keys.repository';
import { SigningKeysService } from './signing-keys.service';

@Module({
  controllers: [JwksController],
  providers: [SigningKeysRepository, SigningKeysService],
  exports: [SigningKeysService],
})
export class KeysModule {}
