import { Module } from '@nestjs/common';
import { ClientsController } from './clients.controller';
import { ClientsModule } from './clients.module';

/** The /clients routes, apart from the service (which the wallet-token profile uses) so a host can leave them out. */
@Module({ imports: [ClientsModule], controllers: [ClientsController] })
export class ClientsRoutesModule {}
