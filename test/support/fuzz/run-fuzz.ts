import { answerVerdict } from './answer-check';
import { type FuzzFixtures, hostileRequest } from './hostile-requests';
import type { Operation } from './openapi-operations';
import { Random } from './random';
import { RawClient } from './raw-client';

export interface FuzzReport {
  sent: number;
  /** Answers by status (`no answer` for none). */
  statuses: Record<string, number>;
  /** Requests by kind of hostility (the first word or two of their kind). */
  kinds: Record<string, number>;
  /** The first failures, each with the request's index, kind and what went wrong. */
  failures: string[];
  failureCount: number;
  /** Core-shaped errors on OAuth and seed routes (see `Verdict`). */
}

export interface FuzzOptions {
  port: number;
  seed: number;
  count: number;
  /** Connections sending at once. */
  concurrency: number;
  timeoutMs: number;
  operations: Operation[];
  fixtures: FuzzFixtures;
}

/**
 * Sends `count` hostile requests, generated in order from the seed (so request i is the same
 * on every run), over `concurrency` connections, and checks every answer.
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const random = new Random(options.seed);
  const report: FuzzReport = {
    sent: 0,
    statuses: {},
    kinds: {},
    failures: [],
    failureCount: 0,
  };
  let next = 0;
  const worker = async () => {
    const client = new RawClient(options.port, options.timeoutMs);
    // The request sent before on this worker's connection: the cause, when a kept-alive
    // connection goes wrong.
    let previous = 'none';
    try {
      while (next < options.count) {
        const index = next++;
        const request = hostileRequest(random, options.operations, options.fixtures);
        const outcome = await client.send(request);
        const sentBefore = previous;
        previous = `#${index} ${request.kind}`;
        report.sent++;
        const status = 'answer' in outcome ? String(outcome.answer.status) : 'no answer';
        report.statuses[status] = (report.statuses[status] ?? 0) + 1;
        const kind =
          /^(operation|CONNECT)/.exec(request.kind)?.[1] ?? request.kind.split(/[:(]/)[0].trim();
        report.kinds[kind] = (report.kinds[kind] ?? 0) + 1;
        const { problem } = answerVerdict(request, outcome, options.operations);
        if (problem !== undefined) {
          report.failureCount++;
          if (report.failures.length < 25)
            report.failures.push(
              `#${index} ${request.kind} ${request.method} ${request.path.slice(0, 80)}: ${problem} (after ${sentBefore})`,
            );
        }
      }
    } finally {
      client.close();
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return report;
}
