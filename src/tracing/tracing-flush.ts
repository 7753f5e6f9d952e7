import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { stopTracing } from './register';

/** At shutdown, the spans still buffered are sent before the process exits. */
@Injectable()
export class TracingFlush implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    await stopTracing();
  }
}
