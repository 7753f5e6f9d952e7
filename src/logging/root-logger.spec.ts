import { Writable } from 'node:stream';
import { createRootLogger } from './root-logger';

function capture(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      raw.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { stream, lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('createRootLogger', () => {
  it('redacts credentials, headers, bodies and driver parameters in whatever is logged', () => {
    const { stream, lines } = capture();
    const logger = createRootLogger({ format: 'json', level: 'info' }, stream);
    logger?.info(
      {
        refresh_token: 'rt-value',
        api_key_secret: 'secret-value',
        req: { headers: { authorization: 'Bearer abc', accept: '*/*' }, body: { a: 1 } },
        response: { access_token: 'at-value', client_secret: 'cs-value' },
        err: { message: 'failed', parameters: ['hash-value'] },
      },
      'something happened',
    );
    const [line] = lines();
    const text = JSON.stringify(line);
    for (const value of [
      'rt-value',
      'secret-value',
      'Bearer abc',
      'at-value',
      'cs-value',
      'hash-value',
    ])
      expect(text).not.toContain(value);
    expect(line).toMatchObject({
      level: 'info',
      msg: 'something happened',
      refresh_token: '[redacted]',
      req: { headers: { authorization: '[redacted]', accept: '*/*' }, body: '[redacted]' },
      err: { message: 'failed', parameters: '[redacted]' },
    });
    expect(Math.abs(Number(line.time) - Date.now())).toBeLessThan(60_000);
  });

  it('is null for LOG_LEVEL=silent, and keeps lines below the level out', () => {
    expect(createRootLogger({ format: 'json', level: 'silent' })).toBeNull();
    const { stream, lines } = capture();
    const logger = createRootLogger({ format: 'json', level: 'warn' }, stream);
    logger?.info('hidden');
    logger?.warn('shown');
    expect(lines().map((line) => line.msg)).toEqual(['shown']);
  });
});
