import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { AUTH_OPTIONS, type ResolvedAuthOptions } from '../../auth.module-definition';
import { nowMs } from '../../common/clock';
import { UnitOfWork } from '../../database/unit-of-work';
import { WalletTokensRepository } from './wallet-tokens.repository';

/** Deletes expired wallet tokens on the same schedule as the session clean-up. */
@Injectable()
export class WalletTokenCleanupService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('WalletTokenCleanup');
  private timer: NodeJS.Timeout | undefined;

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
    const deleted = await this.unitOfWork.write(() => this.tokens.deleteExpiredBefore(now));
    if (deleted > 0) this.logger.log(`removed ${deleted} expired wallet tokens`);
    return deleted;
  }
}
