import { Controller, Get, UseGuards } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { BearerAuthGuard } from '@keyring/nest-auth';
import { Client } from './client.entity.js';
import { Session } from './web-session.entity.js';

/**
 * A feature module guarded by hand: it neither imports the auth module nor is global.
 * Served at /customers, not /clients: the library mounts its own /clients routes at the root.
 */
@Controller('customers')
@UseGuards(BearerAuthGuard)
export class ClientsController {
  constructor(
    @InjectRepository(Client) private readonly clients: Repository<Client>,
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
  ) {}

  @Get()
  async list() {
    return {
      clients: await this.clients.find({ order: { id: 'ASC' } }),
      webSessions: await this.sessions.count(),
    };
  }
}
