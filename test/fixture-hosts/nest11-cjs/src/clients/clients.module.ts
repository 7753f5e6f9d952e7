import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Client } from './client.entity';
import { ClientsController } from './clients.controller';
import { Session } from './web-session.entity';

@Module({
  imports: [TypeOrmModule.forFeature([Client, Session])],
  controllers: [ClientsController],
})
export class ClientsModule {}
