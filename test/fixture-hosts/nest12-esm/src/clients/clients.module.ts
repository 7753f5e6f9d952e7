import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Client } from './client.entity.js';
import { ClientsController } from './clients.controller.js';
import { Session } from './web-session.entity.js';

@Module({
  imports: [TypeOrmModule.forFeature([Client, Session])],
  controllers: [ClientsController],
})
export class ClientsModule {}
