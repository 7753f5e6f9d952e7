import { connect, type Socket } from 'node:net';

/** One HTTP response as it came off the wire. */
export interface Answer {
  status: number;
  /** Lower-cased names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: Buffer;
}

export type Outcome = { answer: Answer } | { failure: string };

export interface Sendable {
  bytes: Buffer;
  /** A HEAD request: its answer has headers only. */
  head: boolean;
  /** Send on a connection of its own and close our side after writing (truncated requests). */
  halfClose: boolean;
  /** Send on a connection of its own: what follows a malformed request is not trusted. */
  fresh: boolean;
}

type Parsed = { answer: Answer; rest: Buffer } | 'incomplete' | { error: string };

/**
 * Reads one final response (1xx interim answers are skipped) from the bytes received so far.
 * Written by hand, not Node's client: that one would refuse to send most of what we send,
 * and would hide how the server framed its answer.
 */
export function parseResponse(data: Buffer, head: boolean, ended: boolean): Parsed {
  let offset = 0;
  for (;;) {
    const end = data.indexOf('\r\n\r\n', offset);
    if (end === -1)
      return ended ? { error: 'the connection closed before a full answer' } : 'incomplete';
    const lines = data.toString('latin1', offset, end).split('\r\n');
    const statusLine = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0]);
    if (!statusLine)
      return { error: `not an HTTP/1.1 status line: ${JSON.stringify(lines[0].slice(0, 80))}` };
    const status = Number(statusLine[1]);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0)
        return { error: `a malformed header line: ${JSON.stringify(line.slice(0, 80))}` };
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
    }
    const bodyStart = end + 4;
    if (status >= 100 && status < 200 && status !== 101) {
      offset = bodyStart;
      continue;
    }
    if (head || status === 204 || status === 304)
      return { answer: { status, headers, body: Buffer.alloc(0) }, rest: data.subarray(bodyStart) };
    if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
      return parseChunked(data, bodyStart, status, headers, ended);
    }
    if (headers['content-length'] !== undefined) {
      const length = Number(headers['content-length']);
      if (!Number.isSafeInteger(length) || length < 0)
        return { error: `a bad Content-Length: ${headers['content-length']}` };
      if (data.length < bodyStart + length)
        return ended ? { error: 'the body was shorter than its Content-Length' } : 'incomplete';
      return {
        answer: { status, headers, body: data.subarray(bodyStart, bodyStart + length) },
        rest: data.subarray(bodyStart + length),
      };
    }
    // Neither length nor chunks: the body runs to the end of the connection.
    if (!ended) return 'incomplete';
    return { answer: { status, headers, body: data.subarray(bodyStart) }, rest: Buffer.alloc(0) };
  }
}

function parseChunked(
  data: Buffer,
  start: number,
  status: number,
  headers: Record<string, string>,
  ended: boolean,
): Parsed {
  const chunks: Buffer[] = [];
  let offset = start;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', offset);
    if (lineEnd === -1) return ended ? { error: 'a truncated chunked body' } : 'incomplete';
    const size = parseInt(data.toString('latin1', offset, lineEnd), 16);
    if (Number.isNaN(size)) return { error: 'a bad chunk size' };
    if (size === 0) {
      const trailerEnd = data.indexOf('\r\n', lineEnd + 2);
      if (trailerEnd === -1) return ended ? { error: 'a truncated chunked body' } : 'incomplete';
      return {
        answer: { status, headers, body: Buffer.concat(chunks) },
        rest: data.subarray(trailerEnd + 2),
      };
    }
    if (data.length < lineEnd + 2 + size + 2)
      return ended ? { error: 'a truncated chunk' } : 'incomplete';
    chunks.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
}

/**
 * A client connection that sends one request at a time and reads its answer, reconnecting
 * when the server closed the previous connection. Keeping connections open spares the
 * machine tens of thousands of sockets in TIME_WAIT.
 */
export class RawClient {
  private socket?: Socket;

  constructor(
    private readonly port: number,
    private readonly timeoutMs: number,
  ) {}

  async send(request: Sendable): Promise<Outcome> {
    if (request.fresh || request.halfClose) this.close();
    const reused = this.socket !== undefined;
    const outcome = await this.sendOnce(request);
    // A kept-alive connection the server closed while it was idle (as HTTP lets it) fails
    // before any byte comes back: that is our stale connection, not a request left unanswered.
    // The request is sent again on a new one, which must answer.
    if (
      reused &&
      'failure' in outcome &&
      outcome.failure.startsWith('no answer: the connection closed')
    )
      return this.sendOnce(request);
    return outcome;
  }

  private async sendOnce(request: Sendable): Promise<Outcome> {
    const socket = this.socket ?? (await this.open());
    this.socket = socket;
    const outcome = await exchange(socket, request, this.timeoutMs);
    const keep =
      'answer' in outcome &&
      outcome.answer.headers.connection?.toLowerCase() !== 'close' &&
      !request.fresh &&
      !request.halfClose &&
      !socket.destroyed &&
      socket.readable;
    if (!keep) this.close();
    return outcome;
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private open(): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = connect(this.port, '127.0.0.1');
      socket.setNoDelay(true);
      socket.once('connect', () => resolve(socket));
      socket.once('error', reject);
    });
  }
}

function exchange(socket: Socket, request: Sendable, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    let data: Buffer = Buffer.alloc(0);
    let ended = false;
    let socketError: string | undefined;
    const finish = (outcome: Outcome) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onError);
      // Bytes past the answer mean the connection is out of step: it is not reused.
      if ('answer' in outcome && parsedRest.length > 0) socket.destroy();
      resolve(outcome);
    };
    let parsedRest: Buffer = Buffer.alloc(0);
    const attempt = () => {
      const parsed = parseResponse(data, request.head, ended);
      if (parsed === 'incomplete') return;
      if ('error' in parsed) {
        const why = data.length === 0 ? 'no answer: the connection closed' : parsed.error;
        finish({ failure: socketError ? `${why} (${socketError})` : why });
        return;
      }
      parsedRest = parsed.rest;
      finish({ answer: parsed.answer });
    };
    const onData = (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      attempt();
    };
    const onEnd = () => {
      ended = true;
      attempt();
    };
    const onError = (error: NodeJS.ErrnoException) => {
      // A reset while we were still writing: what was already received may be a full answer.
      socketError = error.code ?? error.message;
    };
    const timer = setTimeout(
      () => finish({ failure: `no answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
    socket.on('error', onError);
    socket.write(request.bytes, () => {
      if (request.halfClose) socket.end();
    });
  });
}
