import { Module } from '@nestjs/common';
import { KeysController } from './keys.controller';
import { KeysModule } from './keys.module';

/** The admin API's /keys routes (signing keys), apart from the services so a host can leave them out. */
@Module({ imports: [KeysModule], controllers: [KeysController] })
export class KeysRoutesModule {}
