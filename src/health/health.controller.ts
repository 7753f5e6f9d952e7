import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  type HealthCheckResult,
  HealthCheckService,
  type HealthIndicatorResult,
  HealthIndicatorService,
} from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { Public } from '../../libs/auth/src';
import { SigningKeysService } from '../../libs/auth/src/keys/signing-keys.service';
import { GracefulShutdown } from '../lifecycle/graceful-shutdown';
import { DatabaseWriteProbe } from './database-write.probe';

const READY =
  'Ready: 200 when the database commits a write and the signing key is loaded; 503 otherwise, and from the moment shutdown begins.';

@ApiTags('Health')
@Controller('health')
@Public()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly writeProbe: DatabaseWriteProbe,
    private readonly signingKeys: SigningKeysService,
    private readonly shutdown: GracefulShutdown,
  ) {}

  /**
   * Not through terminus: its HealthCheckService answers 503 to every check once shutdown
   * begins, while a draining process still serves (restarting it then would cut the drain).
   */
  @Get('live')
  @ApiOperation({
    summary: 'Liveness',
    description:
      '200 while the process can serve requests, during a graceful shutdown too; it checks nothing else.',
  })
  @ApiOkResponse({ schema: { type: 'object', properties: { status: { example: 'ok' } } } })
  live(@Res({ passthrough: true }) reply: FastifyReply): { status: 'ok' } {
    noStore(reply);
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness', description: READY })
  ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    noStore(reply);
    return this.readiness();
  }

  @Get()
  @HealthCheck()
  @ApiOperation({ summary: 'Health (same as readiness)', description: READY })
  check(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    noStore(reply);
    return this.readiness();
  }

  private readiness(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.serving(),
      () => this.databaseWrite(),
      () => this.signingKey(),
    ]);
  }

  private serving(): HealthIndicatorResult {
    const check = this.indicator.check('shutdown');
    return this.shutdown.draining ? check.down('shutting down') : check.up();
  }

  private async databaseWrite(): Promise<HealthIndicatorResult> {
    const check = this.indicator.check('database');
    try {
      await this.writeProbe.check();
      return check.up();
    } catch (error) {
      // The message only: a driver's error may carry the statement, never anything else here.
      return check.down(error instanceof Error ? error.message : String(error));
    }
  }

  private signingKey(): HealthIndicatorResult {
    const check = this.indicator.check('signing_key');
    return this.signingKeys.loaded ? check.up() : check.down('not loaded');
  }
}

/** On the 503 too (thrown, rendered by the error filter), which a @Header() decorator misses. */
function noStore(reply: FastifyReply): void {
  reply.header('cache-control', 'no-store');
}
