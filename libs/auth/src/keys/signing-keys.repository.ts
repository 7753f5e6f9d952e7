import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, In, Not } from 'typeorm';
import { SigningKeyEntity } from './signing-key.entity';

/**
 * Key of the PostgreSQL advisory lock that serialises changes to the key set (start-up,
 * rotation, revocation) across instances. An arbitrary constant of this table's own.
 */
const KEY_SET_LOCK = 1_795_423_817;

@Injectable()
export class SigningKeysRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(SigningKeyEntity);
  }

  /**
   * Makes the calling transaction the only one changing the key set until it ends. On
   * PostgreSQL an advisory transaction lock; on SQLite the transaction already is the only
   * writer (UnitOfWork queues them, and SQLite allows one writer across processes).
   */
  async lockKeySet(manager: EntityManager): Promise<void> {
    if (this.dataSource.options.type === 'postgres') {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [KEY_SET_LOCK]);
    }
  }

  /**
   * The keys an instance holds in memory: next and active ones, and retired ones retired
   * after `retiredAfter` (their tokens may still be alive). Oldest first.
   */
  findLoadable(retiredAfter: number): Promise<SigningKeyEntity[]> {
    return this.repo()
      .createQueryBuilder('key')
      .where(`key.status IN ('next', 'active')`)
      .orWhere(`key.status = 'retired' AND key.retired_at > :retiredAfter`, { retiredAfter })
      .orderBy('key.created_at', 'ASC')
      .addOrderBy('key.kid', 'ASC')
      .getMany();
  }

  /** Every key, newest first, for the admin listing. */
  findAll(manager?: EntityManager): Promise<SigningKeyEntity[]> {
    return this.repo(manager).find({ order: { createdAt: 'DESC', kid: 'DESC' } });
  }

  /** The active and next keys, oldest first. */
  findCurrent(manager?: EntityManager): Promise<SigningKeyEntity[]> {
    return this.repo(manager).find({
      where: { status: In(['active', 'next']) },
      order: { createdAt: 'ASC', kid: 'ASC' },
    });
  }

  findByKid(kid: string, manager?: EntityManager): Promise<SigningKeyEntity | null> {
    return this.repo(manager).findOneBy({ kid });
  }

  async insert(key: SigningKeyEntity, manager: EntityManager): Promise<void> {
    await this.repo(manager).insert(key);
  }

  /** Active -> retired; false when the key was not active. */
  async retire(kid: string, now: number, manager: EntityManager): Promise<boolean> {
    const result = await this.repo(manager).update(
      { kid, status: 'active' },
      { status: 'retired', retiredAt: now },
    );
    return result.affected === 1;
  }

  /** Next -> active; false when the key was not next. */
  async activate(kid: string, now: number, manager: EntityManager): Promise<boolean> {
    const result = await this.repo(manager).update(
      { kid, status: 'next' },
      { status: 'active', activatedAt: now },
    );
    return result.affected === 1;
  }

  /** Any status but active -> revoked; false when the key was active or already revoked. */
  async revoke(kid: string, now: number, manager: EntityManager): Promise<boolean> {
    const result = await this.repo(manager).update(
      { kid, status: Not(In(['active', 'revoked'])) },
      { status: 'revoked', revokedAt: now },
    );
    return result.affected === 1;
  }

  /** Every stored private key, to seal those not sealed under the current secret. */
  findAllPrivateKeys(): Promise<Array<Pick<SigningKeyEntity, 'kid' | 'privateKey'>>> {
    return this.repo().find({ select: { kid: true, privateKey: true } });
  }

  /** Replaces a stored private key only if it is still the form that was read. */
  async reseal(kid: string, from: string, to: string, manager: EntityManager): Promise<void> {
    await this.repo(manager).update({ kid, privateKey: from }, { privateKey: to });
  }
}
