import { ClusterMessages } from '../cluster/cluster-messages';
import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AUTH_OPTIONS, type ResolvedAuthOptions } from '../auth.module-definition';
import { AuditService } from '../audit/audit.service';
import { nowMs } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { isUniqueViolation } from '../database/unique-violation';
import { UnitOfWork } from '../database/unit-of-work';
import { KeyEncryption } from './key-encryption';
import { generateSigningKey } from './signing-key-material';
import type { SigningKeyEntity, SigningKeyStatus } from './signing-key.entity';
import { SigningKeysRepository } from './signing-keys.repository';
import { SigningKeysService } from './signing-keys.service';

const DAY_MS = 86_400_000;

/** A signing key as listed to admins: never key material. */
export interface SigningKeyInfo {
  kid: string;
  alg: string;
  status: SigningKeyStatus;
  createdAt: number;
  activatedAt: number | null;
  retiredAt: number | null;
  revokedAt: number | null;
}

/** Stored signing keys, and how many were re-sealed under the current key-encryption secret. */
export interface SealingReport {
  keys: number;
  resealed: number;
}

/** Who asked for a change, for its audit event (nothing for the automatic rotation). */
export interface KeyChangeActor {
  apiUserId?: string | null;
  ip?: string | null;
}

/**
 * The life of the signing keys: `next` (published, not signing), `active` (signs; the
 * database holds exactly one), `retired`, `revoked`. Every change of the set runs in one
 * transaction holding the key-set lock, so instances rotating at the same moment take turns
 * and each sees the other's result; the unique index on the active status is the last word.
 *
 * It also keeps each instance's copy of the set fresh: a reload every
 * `signingKeyReloadIntervalMs`, which is when the automatic rotation is checked too.
 */
@Injectable()
export class SigningKeyLifecycleService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('SigningKeys');
  private timer: NodeJS.Timeout | undefined;
  private tick: Promise<void> | undefined;
  private failing = false;
  private sealedAtStart: SealingReport = { keys: 0, resealed: 0 };

  constructor(
    private readonly keys: SigningKeysRepository,
    private readonly ring: SigningKeysService,
    private readonly encryption: KeyEncryption,
    private readonly audit: AuditService,
    private readonly unitOfWork: UnitOfWork,
    private readonly messages: ClusterMessages,
    @Inject(AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
  ) {}

  async onModuleInit(): Promise<void> {
    // Another instance changed the set: reload now rather than at the next tick.
    this.messages.on('signing-keys-changed', () => void this.refresh());
    this.sealedAtStart = await this.sealStoredKeys();
    await this.ensureKeySet();
    await this.ring.reload();
    await this.rotateIfDue();
    this.timer = setInterval(() => {
      this.tick ??= this.refresh().finally(() => (this.tick = undefined));
    }, this.options.signingKeyReloadIntervalMs);
    // The reload never keeps a process alive on its own.
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.tick;
  }

  /**
   * Seals under the current secret every key not sealed under it yet (start-up did it already;
   * this catches keys written since). Counts the re-sealing done at start-up too.
   */
  async resealStoredKeys(): Promise<SealingReport> {
    const { keys, resealed } = await this.sealStoredKeys();
    return { keys, resealed: resealed + this.sealedAtStart.resealed };
  }

  /** Every key, newest first. */
  async list(): Promise<SigningKeyInfo[]> {
    return (await this.keys.findAll()).map(toInfo);
  }

  /**
   * Rotates now: the next key becomes active (one is generated if there is none), the
   * active key is retired, and a fresh next key is generated. Returns the new active kid.
   */
  rotate(actor: KeyChangeActor = {}): Promise<string> {
    return this.changeKeySet((manager, current) =>
      this.rotateWithin(manager, current, actor, false),
    );
  }

  /**
   * Revokes a key: it leaves the JWK set and nothing it signed is honoured any more (on every
   * instance within one reload interval). Revoking the active key rotates first. Revoking a
   * revoked key changes nothing.
   */
  async revoke(kid: string, actor: KeyChangeActor = {}): Promise<SigningKeyInfo> {
    const revoked = await this.changeKeySet(async (manager, current) => {
      const key = await this.keys.findByKid(kid, manager);
      if (!key) throw new DomainError('not_found', 'No such signing key.', 'kid');
      if (key.status === 'revoked') return key;
      const now = nowMs();
      if (key.status === 'active') {
        await this.rotateWithin(manager, current, actor, false);
      } else if (key.status === 'next') {
        // Keep a published successor ready, so the next rotation needs no unannounced key.
        await this.keys.insert(generateSigningKey(this.encryption, 'next', now), manager);
      }
      await this.keys.revoke(kid, now, manager);
      await this.audit.record(manager, {
        type: 'signing_key.revoked',
        apiUserId: actor.apiUserId,
        ip: actor.ip,
        data: { kid },
      });
      return (await this.keys.findByKid(kid, manager)) as SigningKeyEntity;
    });
    return toInfo(revoked);
  }

  /** One reload, and the automatic rotation when due; a failure waits for the next tick. */
  private async refresh(): Promise<void> {
    try {
      await this.ring.reload();
      await this.rotateIfDue();
      if (this.failing) this.logger.log('signing keys reloaded again');
      this.failing = false;
    } catch (error) {
      // Once per outage, not once a second: the set in memory keeps serving meanwhile.
      if (!this.failing) {
        this.logger.warn(
          `signing keys could not be reloaded (${error instanceof Error ? error.name : 'error'}); retrying every ${this.options.signingKeyReloadIntervalMs} ms`,
        );
      }
      this.failing = true;
    }
  }

  /**
   * Rotates when the active key is older than `signingKeyRotationDays`. The rotation happens
   * only if the key found old is still the active one under the lock, so instances noticing it
   * at the same moment rotate once between them.
   */
  private async rotateIfDue(): Promise<void> {
    const days = this.options.signingKeyRotationDays;
    if (days === 0 || !this.ring.loaded) return;
    const { kid, activatedAt } = this.ring.signingKey;
    if (nowMs() - activatedAt < days * DAY_MS) return;
    const rotated = await this.changeKeySet((manager, current) =>
      current.active?.kid === kid
        ? this.rotateWithin(manager, current, {}, true)
        : Promise.resolve(undefined),
    );
    if (rotated) this.logger.log(`rotated the signing key older than ${days} days`);
  }

  /**
   * Runs a change of the key set in one transaction holding the key-set lock, with the active
   * and next keys as they are under it; then reloads this instance's copy at once.
   */
  private async changeKeySet<T>(
    change: (manager: EntityManager, current: CurrentKeys) => Promise<T>,
  ): Promise<T> {
    const result = await this.unitOfWork.transaction(async (manager) => {
      await this.keys.lockKeySet(manager);
      return change(manager, currentKeys(await this.keys.findCurrent(manager)));
    });
    await this.ring.reload();
    void this.messages.publish({ kind: 'signing-keys-changed' });
    return result;
  }

  private async rotateWithin(
    manager: EntityManager,
    { active, next }: CurrentKeys,
    actor: KeyChangeActor,
    automatic: boolean,
  ): Promise<string> {
    const now = nowMs();
    let incoming = next;
    if (!incoming) {
      incoming = generateSigningKey(this.encryption, 'next', now);
      await this.keys.insert(incoming, manager);
    }
    // Retire before activating: the unique index allows one active key at any moment.
    if (active) await this.keys.retire(active.kid, now, manager);
    if (!(await this.keys.activate(incoming.kid, now, manager))) {
      throw new Error('the next signing key could not be activated');
    }
    await this.keys.insert(generateSigningKey(this.encryption, 'next', now), manager);
    await this.audit.record(manager, {
      type: 'signing_key.rotated',
      apiUserId: actor.apiUserId,
      ip: actor.ip,
      data: { kid: incoming.kid, previous_kid: active?.kid ?? null, automatic },
    });
    return incoming.kid;
  }

  /**
   * At start: gives the set an active key (the first instance on an empty database makes it)
   * and a next one, under the lock so that instances starting together make one of each.
   */
  private async ensureKeySet(): Promise<void> {
    const before = currentKeys(await this.keys.findCurrent());
    if (before.active && before.next) return;
    try {
      await this.unitOfWork.transaction(async (manager) => {
        await this.keys.lockKeySet(manager);
        const { active, next } = currentKeys(await this.keys.findCurrent(manager));
        const now = nowMs();
        if (!active) {
          if (next) await this.keys.activate(next.kid, now, manager);
          else await this.keys.insert(generateSigningKey(this.encryption, 'active', now), manager);
          this.logger.log('generated a new ES256 signing key');
        }
        if (!active || !next) {
          await this.keys.insert(generateSigningKey(this.encryption, 'next', now), manager);
        }
      });
    } catch (error) {
      // Another process on the same SQLite file made the active key first: use it.
      if (!isUniqueViolation(error)) throw error;
    }
  }

  /**
   * Seals every private key not sealed under the current secret: keys stored in clear by an
   * earlier version, and keys sealed under `previousKeyEncryptionSecret`. A key that opens
   * under neither stops the start (the secret is wrong).
   */
  private async sealStoredKeys(): Promise<SealingReport> {
    let resealed = 0;
    const stored = await this.keys.findAllPrivateKeys();
    for (const { kid, privateKey } of stored) {
      const opened = this.encryption.open(privateKey);
      if (!opened.stale) continue;
      await this.unitOfWork.write((manager) =>
        this.keys.reseal(kid, privateKey, this.encryption.seal(opened.pem), manager),
      );
      resealed += 1;
    }
    if (resealed > 0) {
      this.logger.log(`sealed ${resealed} signing key(s) under the current key-encryption secret`);
    }
    return { keys: stored.length, resealed };
  }
}

interface CurrentKeys {
  active: SigningKeyEntity | undefined;
  next: SigningKeyEntity | undefined;
}

function currentKeys(rows: SigningKeyEntity[]): CurrentKeys {
  return {
    active: rows.find((row) => row.status === 'active'),
    // Oldest first: the one published longest.
    next: rows.find((row) => row.status === 'next'),
  };
}

function toInfo(key: SigningKeyEntity): SigningKeyInfo {
  return {
    kid: key.kid,
    alg: key.algorithm,
    status: key.status,
    createdAt: key.createdAt,
    activatedAt: key.activatedAt,
    retiredAt: key.retiredAt,
    revokedAt: key.revokedAt,
  };
}
