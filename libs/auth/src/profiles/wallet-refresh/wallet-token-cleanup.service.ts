import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { AUTH_OPTIONS, type ResolvedAuthOptions } from '../../auth.module-definition';
import { nowMs } from '../../common/clock';
import { repeatWhileFull } from '../../database/bounded-steps';
import { UnitOfWork } from '../../database/unit-of-work';
import { WalletTokensRepository } from './wallet-tokens.repository';

/**
 * Deletes expired wallet tokens on the same schedule as the session clean-up, a bounded number
 * per statement with turns of the event loop between them. An hour leaves as many expired
 * tokens as the wallet issued in it, and on SQLite one statement deleting them all holds every
 * request meanwhile: about 2 s per million rows here (measured on refresh-token rows).
 */
@Injectable()
export class WalletTokenCleanupService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('WalletTokenCleanup');
  private timer: NodeJS.Timeout | undefined;
  /** Tokens deleted per statement; per instance, so a test can make it small. */
  deletesPerStep = 1000;

  constructor(
    private readonly tokens: WalletTokensRepository,
    private readonly unitOfWork: UnitOfWork,
    @Inject(AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.cleanupIntervalSeconds === 0) return;
    this.timer = setInterval(() => {
      this.run().catch((error: unknown) =>
        this.logger.error(`clean-up failed: ${error instanceof Error ? error.name : 'error'}`),
      );
    }, this.options.cleanupIntervalSeconds * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async run(now = nowMs()): Promise<number> {
    const limit = this.deletesPerStep;
    const deleted = await repeatWhileFull(limit, () =>
      this.unitOfWork.write(() => this.tokens.deleteSomeExpiredBefore(now, limit)),
    );
    if (deleted > 0) this.logger.log(`removed ${deleted} expired wallet tokens`);
    return deleted;
  }
}
