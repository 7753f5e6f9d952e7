import { Module } from '@nestjs/common';
import { ClientsRepository } from './clients.repository';
import { ClientsService } from './clients.service';

@Module({
  providers: [ClientsRepository, ClientsService],
  exports: [ClientsService],
})
export class ClientsModule {}
