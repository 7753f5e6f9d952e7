import { Writable } from 'node:stream';

/** A destination for the server's logger keeping every line written, raw and parsed. */
export class LogLines extends Writable {
  readonly raw: string[] = [];

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    for (const line of chunk.toString().split('\n')) if (line !== '') this.raw.push(line);
    done();
  }

  /** Every line as JSON: throws (failing the test) on the first that is not. */
  parsed(): Array<Record<string, unknown>> {
    return this.raw.map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON log line: ${line}`);
      }
    });
  }

  /** The access lines ("request completed"). */
  requests(): Array<Record<string, unknown>> {
    return this.parsed().filter((line) => line.msg === 'request completed');
  }
}
