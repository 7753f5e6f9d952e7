import { Injectable } from '@nestjs/common';
import { nowMs } from '../common/clock';
import { digestsEqual, randomPublicId, randomSecret, sha256Hex } from '../common/crypto';
import { DomainError } from '../common/domain-error';
import type { PageRequest } from '../common/pagination';
import { isUniqueViolation } from '../database/unique-violation';
import { UnitOfWork } from '../database/unit-of-work';
import { ClientEntity } from './client.entity';
import { ClientsRepository } from './clients.repository';

export interface CreatedClient {
  client: ClientEntity;
  /** Shown once; only its hash is stored. */
  secret: string;
}

@Injectable()
export class ClientsService {
  constructor(
    private readonly clients: ClientsRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  async create(name: string): Promise<CreatedClient> {
    const secret = randomSecret();
    const client = new ClientEntity();
    client.id = randomPublicId();
    client.name = name;
    client.secretHash = sha256Hex(secret);
    client.createdAt = nowMs();
    try {
      await this.unitOfWork.transaction(async (manager) => {
        if (await this.clients.existsByName(name, manager)) throw nameTaken();
        await this.clients.insert(client, manager);
      });
    } catch (error) {
      throw isUniqueViolation(error) ? nameTaken() : error;
    }
    return { client, secret };
  }

  findPage(page: PageRequest): Promise<[ClientEntity[], number]> {
    return this.clients.findPage(page);
  }

  async delete(id: string): Promise<void> {
    const deleted = await this.unitOfWork.write((manager) => this.clients.delete(id, manager));
    if (!deleted) throw new DomainError('not_found', 'No such client.', 'client_id');
  }

  /** The client whose secret this is, found by the secret's hash (a unique index). */
  async findBySecret(secret: string): Promise<ClientEntity | null> {
    const digest = sha256Hex(secret);
    const client = await this.clients.findBySecretHash(digest);
    return client && digestsEqual(client.secretHash, digest) ? client : null;
  }
}

function nameTaken(): DomainError {
  return new DomainError('conflict', 'A client with this name already exists.', 'name');
}
