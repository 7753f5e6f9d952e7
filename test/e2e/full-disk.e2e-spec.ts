import type { LoggerService } from '@nestjs/common';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteCheckpointService } from '../../src/database/sqlite-checkpoint.service';
import { ADMIN_KEY_ID, ADMIN_KEY_SECRET, startTestApp, type TestApp } from '../support/test-app';
import { currentDbKind } from '../support/test-database';

/** Records what the server logs at warn and error. */
class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  log() {}
  warn(message: unknown) {
    this.lines.push(`warn ${String(message)}`);
  }
  error(message: unknown) {
    this.lines.push(`error ${String(message)}`);
  }
}

const CHUNK = Buffer.alloc(256 * 1024, 1);

/** Writes 256 KiB files into `dir` until the filesystem is full (ENOSPC); returns them. */
function fill(dir: string): string[] {
  const files: string[] = [];
  for (;;) {
    const file = join(dir, `filler-${files.length}`);
    const fd = openSync(file, 'w');
    files.push(file);
    try {
      writeSync(fd, CHUNK);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return files;
      throw error;
    } finally {
      closeSync(fd);
    }
  }
}

async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/**
 * A real full disk: the embedded database lives on a 48 MiB tmpfs mounted for this test (we
 * run as root in CI and here), which the test fills with files until writing fails with
 * ENOSPC. Only the SQLite project runs it.
 */
const onSqlite = currentDbKind() === 'sqlite' ? describe : describe.skip;

onSqlite('A full disk under the embedded database', () => {
  let mountPoint: string;
  let t: TestApp;
  const logger = new CapturingLogger();

  beforeAll(async () => {
    mountPoint = mkdtempSync(join(tmpdir(), 'auth-full-disk-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', mountPoint]);
    const dir = join(mountPoint, 'db');
    t = await startTestApp({
      logger,
      db: {
        kind: 'sqlite',
        env: { DATABASE_PATH: join(dir, 'auth.sqlite') },
        drop: () => Promise.resolve(),
      },
    });
    await t.dataSource.query('CREATE TABLE filler (data BLOB)');
  });

  afterAll(async () => {
    await t?.close();
    execFileSync('umount', [mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });

  it('makes readiness 503 and restarts the failed checkpoint worker once space is free, without a restart', async () => {
    const checkpoints = t.app.get(SqliteCheckpointService);
    expect(checkpoints.running).toBe(true);
    await t.http.get('/health/ready').expect(200);
    const opened = (
      await t.http
        .post('/auth/token')
        .send({ api_key_id: ADMIN_KEY_ID, api_key_secret: ADMIN_KEY_SECRET })
        .expect(200)
    ).body as { refresh_token: string };

    const fillers = fill(mountPoint);
    // Room for a little WAL and nothing more: the rows below go into the log, and the
    // checkpoint that must then grow the database file to hold them has no space left.
    for (const file of fillers.slice(-6)) rmSync(file);
    for (let i = 0; i < 40; i += 1) {
      await t.dataSource
        .query('INSERT INTO filler (data) VALUES (randomblob(32768))')
        .catch(() => undefined);
    }
    expect(await until(() => !checkpoints.running, 10_000)).toBe(true);
    const failure = logger.lines.find((line) => line.includes('checkpoint worker stopped'));
    // The driver's real message, never "[object Object]".
    expect(failure).toMatch(/SQLITE_FULL|disk is full/);
    expect(failure).not.toContain('[object Object]');

    const full = await t.http.get('/health/ready').expect(503);
    expect(full.body.error.code).toBe('service_unavailable');
    await t.http.get('/health/live').expect(200);

    // The API: whatever still fits in the log is served, the rest is 503 with Retry-After,
    // never a 500; a refresh answered 503 consumed nothing.
    const statuses: number[] = [];
    const unanswered: string[] = [];
    let current = opened.refresh_token;
    for (let i = 0; i < 60; i += 1) {
      const exchanged = await t.http
        .post('/auth/token')
        .send({ api_key_id: ADMIN_KEY_ID, api_key_secret: ADMIN_KEY_SECRET });
      const refreshed = await t.http.post('/auth/token/refresh').send({ refresh_token: current });
      for (const answer of [exchanged, refreshed]) {
        statuses.push(answer.status);
        if (answer.status === 503) {
          expect(answer.body.error.code).toBe('service_unavailable');
          expect(answer.headers['retry-after']).toMatch(/^\d+$/);
        }
      }
      if (refreshed.status === 200) current = refreshed.body.refresh_token as string;
      else unanswered.push(current);
    }
    expect(statuses.filter((status) => status !== 200 && status !== 503)).toEqual([]);
    expect(statuses).toContain(503);
    expect(unanswered.length).toBeGreaterThan(0);

    for (const file of fillers) rmSync(file, { force: true });
    // Back without a restart: the worker (after its backoff) and readiness.
    expect(await until(() => checkpoints.running, 20_000)).toBe(true);
    await t.http.get('/health/ready').expect(200);
    await t.http.post('/auth/token/refresh').send({ refresh_token: current }).expect(200);
  });
});
