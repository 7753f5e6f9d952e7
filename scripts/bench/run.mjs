// npm run bench: measures the server against panva's oidc-provider and a bare Nest route, side
// by side in one run. Each server runs pinned to core 0 (taskset, where it exists) and this
// load generator on core 1; autocannon, 50 connections, 10 s per measurement; the targets are
// interleaved over three repeats and medians are quoted. Every refresh request carries a fresh,
// unused token: autocannon takes them from a queue that each response refills with its successor.
//
//   npm run bench [-- --repeats 3 --duration 10 --warmup 3 --connections 50 --out bench-results.json]
//   npm run bench -- --postgres        (our server on an embedded PostgreSQL, pinned with it)
//   npm run bench -- --redis   (the per-address rate limit on, counted in a real redis-server
//     pinned with the server, against the same limit counted in memory; needs redis-server)
//   npm run bench -- --only refresh --repeats 1 --cpu-prof /tmp/prof   (profile our server)
//   npm run bench -- --only 'POST /auth/token$'   (a trailing $ anchors the name: token alone)
//   npm run bench -- --only refresh --probe /tmp/probe.jsonl   (our server's own latency,
//     event-loop delay and GC, second by second: scripts/bench/latency-probe.cjs)
//   npm run bench -- --only refresh --calibrate 60,100,130   (adds the bare route made to
//     spend 60, 100 and 130 µs per request: how p99 follows the rate in this closed loop)
import autocannon from 'autocannon';
import { execFileSync, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  arg,
  cpuByPid,
  freePort,
  log,
  pinLoadToCore1,
  startPinned,
  startRedisServer,
  statOf,
  stop,
  waitFor,
} from './processes.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const REPEATS = Number(arg('repeats', 3));
const DURATION = Number(arg('duration', 10));
const CONNECTIONS = Number(arg('connections', 50));
/**
 * Seconds each scenario runs once, unmeasured, before the first repeat: JIT, caches and heap
 * sizes settle on every target alike (without it the first repeat of each ran 10-25 % slower).
 */
const WARMUP = Number(arg('warmup', 3));
/** How long the next measurement runs: DURATION, or WARMUP while warming up. */
let measurementSeconds = DURATION;

/** The suffix of the scenarios run on the server with its observability off. */
const QUIET = ' (side by side: observability off)';
/** The suffix of the defaults' half of a side-by-side pair (see sideBySide). */
const DEFAULTS_BESIDE = ' (side by side: defaults)';

/** Only the scenarios whose name contains this text (quick runs; ratios need both sides). */
const ONLY = arg('only', '');
/** `--only` picks the measurements whose name contains it; a trailing `$` anchors it to the end. */
const selected = (name) =>
  ONLY.endsWith('$') ? name.endsWith(ONLY.slice(0, -1)) : name.includes(ONLY);
/** Where our server writes a V8 CPU profile of the whole run (summarise with profile-summary.mjs). */
const CPU_PROF_DIR = arg('cpu-prof', '');
const PROBE_FILE = arg('probe', '');
/** Busy times (µs per request) of the calibration targets, e.g. `--calibrate 60,100,130`. */
const CALIBRATION_MICROS = arg('calibrate', '').split(',').filter(Boolean).map(Number);
/** Our server on an embedded PostgreSQL instead of the embedded SQLite database. */
const POSTGRES = process.argv.includes('--postgres');
/** Sessions opened before measuring on PostgreSQL, so that the tables' statistics are real. */
const POSTGRES_WARM_SESSIONS = 20_000;
/**
 * Our server with the per-address rate limit on (high enough never to refuse) and counted in a
 * real Redis (REDIS_URL), beside a second server counting the same limit in memory.
 */
const REDIS = process.argv.includes('--redis');
/** A limit no run reaches: what is measured is the cost of counting, not of refusing. */
const UNREACHED_RATE_LIMIT = '10000000';
/**
 * With --redis: our token and refresh scenarios on the Redis-counting server, side by side with
 * the same on a second server counting the limit in memory (see sideBySide); their ratio is what
 * counting in Redis costs.
 */
const REDIS_BESIDE = ' (side by side: rate limit in Redis)';
const MEMORY_BESIDE = ' (side by side: rate limit in memory)';
const OUT = arg(
  'out',
  join(ROOT, `bench-results${POSTGRES ? '-postgres' : ''}${REDIS ? '-redis' : ''}.json`),
);
const TASKSET = pinLoadToCore1();
/** The pids of a process and its children (PostgreSQL's backends are the postmaster's). */
function withChildren(pid) {
  const children = readdirSync('/proc').filter((entry) => {
    if (!/^\d+$/.test(entry)) return false;
    try {
      return Number(statOf(entry)[1]) === pid;
    } catch {
      return false; // exited meanwhile
    }
  });
  return [pid, ...children.map(Number)];
}

/**
 * CPU used between two readings. A process that appeared in between counts from zero. One that
 * exited in between counts up to its end: its whole time has moved into its parent's (cutime,
 * read in `after`), so what it had used before the first reading comes off. (Without that, a
 * pool connection closed mid-measurement charged its whole life to the measurement.)
 */
function cpuBetween(before, after) {
  let micros = 0;
  for (const [pid, value] of after) micros += value - (before.get(pid) ?? 0);
  for (const [pid, value] of before) if (!after.has(pid)) micros -= value;
  return micros;
}

async function post(url, body, type = 'application/json', headers = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': type, ...headers },
    body: type === 'application/json' ? JSON.stringify(body) : new URLSearchParams(body),
  });
  return { status: response.status, body: await response.json() };
}

/**
 * A throwaway embedded PostgreSQL (the one the tests use), pinned to the server's core with
 * every process it has started; backends forked later inherit the pinning from the postmaster.
 */
async function startPostgres() {
  const { startEmbeddedPostgres } = createRequire(import.meta.url)(
    join(ROOT, 'test/setup/embedded-postgres.cjs'),
  );
  const pg = await startEmbeddedPostgres();
  const postmaster = Number(
    readFileSync(join(pg.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0],
  );
  if (TASKSET)
    for (const pid of withChildren(postmaster))
      execFileSync('taskset', ['-a', '-cp', '0', String(pid)], { stdio: 'ignore' });
  return { ...pg, postmaster };
}

/**
 * Our server, built, on a fresh database. `env` overrides its defaults: the observability-off
 * variant turns metrics and logs off, to measure what the defaults cost in the same run. The
 * server's stdout (its JSON log lines) goes to /dev/null: formatting and writing every line is
 * paid, as it is in production, and nothing reads it.
 */
async function startOurs(env = {}) {
  const postgres = POSTGRES ? await startPostgres() : undefined;
  const redis = env.REDIS_URL === 'start' ? await startRedisServer(TASKSET) : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'auth-bench-'));
  const port = await freePort();
  const admin = {
    api_key_id: 'bench-admin-key-000001',
    api_key_secret: randomBytes(32).toString('base64url'),
  };
  const profiling = CPU_PROF_DIR ? ['-r', join(ROOT, 'scripts/bench/profile-on-signal.cjs')] : [];
  const probing = PROBE_FILE ? ['-r', join(ROOT, 'scripts/bench/latency-probe.cjs')] : [];
  const child = startPinned(TASKSET, [...profiling, ...probing, join(ROOT, 'dist/src/main.js')], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: postgres?.url ?? '',
      DATABASE_PATH: join(dir, 'auth.sqlite'),
      // Required on PostgreSQL; on SQLite it spares the generated secret file.
      KEY_ENCRYPTION_SECRET: randomBytes(32).toString('base64url'),
      RATE_LIMIT_PER_MINUTE: '0',
      ACCESS_TOKEN_TTL_SECONDS: '3600',
      BOOTSTRAP_ADMIN_KEY_ID: admin.api_key_id,
      BOOTSTRAP_ADMIN_KEY_SECRET: admin.api_key_secret,
      BENCH_CPU_PROF_DIR: CPU_PROF_DIR,
      BENCH_PROBE_FILE: PROBE_FILE,
      ...env,
      REDIS_URL: redis?.url ?? '',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/health`);
  const key = await restrictedKey(base, admin);
  // taskset execs node in place: the spawned pid is the server's.
  const pid = child.pid;
  return {
    base,
    pid,
    // On PostgreSQL the database's CPU is the server's too: the postmaster and its backends;
    // and Redis's, when it counts the limit.
    pids: () => [
      pid,
      ...(postgres ? withChildren(postgres.postmaster) : []),
      ...(redis ? [redis.pid] : []),
    ],
    databasePids: () => (postgres ? withChildren(postgres.postmaster) : []),
    admin,
    key,
    async refreshTokens(n) {
      const tokens = [];
      for (let i = 0; i < n; i += 1)
        tokens.push((await post(`${base}/auth/token`, key)).body.refresh_token);
      return tokens;
    },
    /**
     * `n` distinct clients: an operator each, registered through the API as an admin would,
     * with its API key and an access token.
     */
    async clients(n, prefix = 'bench-client') {
      const admin = (await post(`${base}/auth/token`, this.admin)).body.access_token;
      const clients = [];
      for (let i = 0; i < n; i += 1) {
        const created = await post(
          `${base}/api-users`,
          { name: `${prefix}-${i}`, role: 'operator' },
          'application/json',
          { authorization: `Bearer ${admin}` },
        );
        const registered = await post(`${base}/api-users/register`, {
          registration_token: created.body.registration_token,
        });
        const key = {
          api_key_id: registered.body.api_key_id,
          api_key_secret: registered.body.api_key_secret,
        };
        const { access_token } = (await post(`${base}/auth/token`, key)).body;
        clients.push({ key, accessToken: access_token });
      }
      return clients;
    },
    /**
     * `n` access tokens, each of a new session, opened in turn with the given keys (default:
     * the admin's). Spread over many keys, they stay below MAX_SESSIONS_PER_API_KEY (1000 by
     * default), which would otherwise revoke the older sessions and so their tokens.
     */
    async accessTokens(n, keys = [admin]) {
      const tokens = [];
      for (let i = 0; i < n; i += 1)
        tokens.push((await post(`${base}/auth/token`, keys[i % keys.length])).body.access_token);
      return tokens;
    },
    /**
     * On PostgreSQL, statistics for what set-up wrote. A named statement keeps the generic plan
     * it got from the tables' first statistics until the tables are analysed again; from a
     * fresh database that plan scans tiny tables sequentially, and autovacuum may not analyse
     * them again within a run that measures refresh alone (BENCHMARKS.md, round 6). ANALYZE
     * also invalidates the plans the server's connections already hold.
     */
    async analyze() {
      if (!postgres) return;
      const { Client } = createRequire(import.meta.url)('pg');
      const client = new Client({ connectionString: postgres.url });
      await client.connect();
      try {
        await client.query('ANALYZE');
      } finally {
        await client.end();
      }
    },
    async stop() {
      await stop(child);
      await postgres?.stop();
      if (redis) await stop(redis.child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A second key of the admin carrying scopes and an address allow-list, as a production key
 * would: the token and refresh scenarios use it, so that the checks they cost are measured.
 */
async function restrictedKey(base, admin) {
  const access = (await post(`${base}/auth/token`, admin)).body.access_token;
  const auth = { authorization: `Bearer ${access}` };
  const me = await (await fetch(`${base}/api-users/me`, { headers: auth })).json();
  const created = await post(
    `${base}/api-users/${me.id}/api-keys`,
    {
      name: 'bench',
      scopes: ['reports:read', 'reports:write'],
      allowed_cidrs: ['10.0.0.0/8', '127.0.0.0/8', '::1/128'],
    },
    'application/json',
    auth,
  );
  if (created.status !== 201) throw new Error(`bench key: ${JSON.stringify(created.body)}`);
  return { api_key_id: created.body.api_key_id, api_key_secret: created.body.api_key_secret };
}

/** A target started by fork (IPC) and pinned to core 0 afterwards. */
async function startForked(script, ...args) {
  const child = fork(join(ROOT, script), ['0', ...args], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  child.stderr.on('data', (chunk) => {
    const text = String(chunk);
    if (!/oidc-provider (WARNING|NOTICE)/.test(text)) process.stderr.write(text);
  });
  const ready = await new Promise((resolve) => child.on('message', (m) => m.ready && resolve(m)));
  // -a: every thread. Node's helper threads (V8's GC and compiler workers, libuv's pool) exist
  // by now, and pinning only the main thread would leave them the load generator's core.
  if (TASKSET) execFileSync('taskset', ['-a', '-cp', '0', String(child.pid)], { stdio: 'ignore' });
  return {
    base: `http://127.0.0.1:${ready.port}`,
    pid: child.pid,
    pids: () => [child.pid],
    databasePids: () => [],
    client: ready.client,
    mint(n) {
      return new Promise((resolve) => {
        child.once('message', (m) => resolve(m.minted));
        child.send({ mint: n });
      });
    },
    async stop() {
      await stop(child);
    },
  };
}

/** One autocannon measurement; CPU per request is read from the server's /proc entry. */
async function measure(target, request) {
  const cpuBefore = cpuByPid(target.pids());
  const databaseCpuBefore = cpuByPid(target.databasePids());
  const result = await autocannon({
    url: target.base,
    connections: CONNECTIONS,
    duration: measurementSeconds,
    requests: [request],
  });
  const cpu = cpuBetween(cpuBefore, cpuByPid(target.pids()));
  const databaseCpu = cpuBetween(databaseCpuBefore, cpuByPid(target.databasePids()));
  const completed = result.requests.total;
  // With every connection always waiting on its answer, a request's round trip averages
  // connections / rate (Little's law); p99 is quoted as a multiple of that too.
  const meanRoundTripMs = completed ? (CONNECTIONS * 1000 * measurementSeconds) / completed : NaN;
  return {
    rps: Math.round(completed / measurementSeconds),
    p50: result.latency.p50,
    p99: result.latency.p99,
    p99_per_round_trip: Number((result.latency.p99 / meanRoundTripMs).toFixed(2)),
    cpu_us_per_req: completed ? Math.round(cpu / completed) : null,
    // The PostgreSQL processes' part of cpu_us_per_req (0 on SQLite, which runs in-process).
    db_cpu_us_per_req: completed ? Math.round(databaseCpu / completed) : null,
    non2xx: result.non2xx,
    // Which statuses the non-2xx answers had: a failing request is cheap, so it must be seen.
    statuses: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, stat.count]),
    ),
    errors: result.errors + result.timeouts,
  };
}

/**
 * Two measurements at once, both servers pinned to the one server core: the scheduler shares
 * it between them, so whatever slows the machine in those seconds slows both alike, and their
 * rates compare their costs per request. Measured one after the other, ten seconds apart, the
 * same two servers' rates differed by up to 25 % either way from one repeat to the next on
 * these shared machines. The second result is reported under `besideName`.
 */
async function sideBySide(measureFirst, besideName, measureSecond) {
  const [first, second] = await Promise.all([measureFirst(), measureSecond()]);
  return { ...first, beside: { [besideName]: second } };
}

/** The median over repeats of each repeat's rate of `runs` over `besideRuns`. */
function pairedRatio(runs, besideRuns) {
  if (!runs?.length || runs.length !== besideRuns?.length) return NaN;
  return median(runs.map((run, i) => run.rps / besideRuns[i].rps));
}

/** A request whose body takes the next token of a queue that each success refills. */
function rotating(path, queue, bodyOf, successorOf, type = 'application/json') {
  return {
    method: 'POST',
    path,
    headers: { 'content-type': type },
    setupRequest: (req) => ({ ...req, body: bodyOf(queue.shift()) }),
    onResponse: (status, body) => {
      if (status === 200) queue.push(successorOf(JSON.parse(body)));
    },
  };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  if (!existsSync(join(ROOT, 'dist/src/main.js')))
    throw new Error('run `npm run build` first (npm run bench does)');
  log(
    `bench: ${REPEATS} repeats, ${DURATION} s after ${WARMUP} s of warm-up, ${CONNECTIONS} connections, ${TASKSET ? 'server on core 0, load on core 1' : 'no taskset: unpinned'}, ours on ${POSTGRES ? 'PostgreSQL' : 'SQLite'}`,
  );
  // With --redis, every scenario of ours runs with the limit counted in Redis.
  const ours = await startOurs(
    REDIS ? { RATE_LIMIT_PER_MINUTE: UNREACHED_RATE_LIMIT, REDIS_URL: 'start' } : {},
  );
  // Each pair compared side by side runs on two servers of its own that run nothing else, so
  // that the two have the same history (tables, caches, heap) and differ in one setting only;
  // beside `ours`, which runs every scenario, the pair read from 0.64 to 1.21 in one run.
  const pairWanted = (suffix) =>
    selected(`ours POST /auth/token${suffix}`) ||
    selected(`ours POST /auth/token/refresh${suffix}`);
  // Counting the limit in Redis against counting it in memory (with --redis).
  const limitInRedis =
    REDIS && pairWanted(REDIS_BESIDE)
      ? await startOurs({ RATE_LIMIT_PER_MINUTE: UNREACHED_RATE_LIMIT, REDIS_URL: 'start' })
      : undefined;
  const inMemory = limitInRedis
    ? await startOurs({ RATE_LIMIT_PER_MINUTE: UNREACHED_RATE_LIMIT })
    : undefined;
  // The defaults against observability off (no metrics, LOG_LEVEL=silent), on the token
  // endpoints: the difference is what they cost.
  const defaults = pairWanted(DEFAULTS_BESIDE) ? await startOurs() : undefined;
  const quiet = defaults
    ? await startOurs({ METRICS_ENABLED: 'false', LOG_LEVEL: 'silent' })
    : undefined;
  const peer = await startForked('scripts/bench/oidc-provider-target.mjs');
  const bare = await startForked('scripts/bench/bare-nest-target.cjs');
  const spare = CONNECTIONS * 4;
  // One client per connection: no two requests of a turn share a key or a user, so reads
  // batched per turn cannot be shared between them.
  const clients = await ours.clients(CONNECTIONS);
  // The token scenarios open sessions by the ten thousand, so their keys reach
  // MAX_SESSIONS_PER_API_KEY and their oldest sessions are revoked: the bearer scenarios use
  // tokens of other keys, which open only the sessions made here.
  const readers = await ours.clients(CONNECTIONS, 'bench-reader');
  const readerKeys = readers.map((reader) => reader.key);
  const freshAccessTokens = await ours.accessTokens(
    selected('ours GET /api-users/me (fresh token)') ? Math.min(20_000, 4000 * DURATION) : 1,
    readerKeys,
  );
  // On PostgreSQL, every run starts from tables of a realistic size, with statistics, as a
  // complete run does by the time it refreshes (see analyze): 20 000 sessions, then ANALYZE.
  if (POSTGRES) {
    await ours.accessTokens(
      Math.max(0, POSTGRES_WARM_SESSIONS - freshAccessTokens.length),
      readerKeys,
    );
    await ours.analyze();
  }
  const [reusedToken] = await ours.accessTokens(1, readerKeys);
  let freshIndex = 0;
  let clientIndex = 0;
  const nextClient = () => clients[clientIndex++ % clients.length];
  let readerIndex = 0;
  const nextReader = () => readers[readerIndex++ % readers.length];

  // Our token and refresh requests, on one of our servers (defaults, quiet, limit in memory).
  const tokenOn = (target) =>
    measure(target, {
      method: 'POST',
      path: '/auth/token',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(target.key),
    });
  const refreshOn = async (target) =>
    measure(
      target,
      rotating(
        '/auth/token/refresh',
        await target.refreshTokens(spare),
        (token) => JSON.stringify({ refresh_token: token }),
        (b) => b.refresh_token,
      ),
    );

  // Each of our token and refresh scenarios runs right beside the ones it is compared with (the
  // same server with observability off or the limit in memory, and oidc-provider), so drift in
  // a shared machine's speed over a repeat falls on both sides of each ratio alike.
  const scenarios = {
    [`ours POST /auth/token${DEFAULTS_BESIDE}`]: () =>
      sideBySide(
        () => tokenOn(defaults),
        `ours POST /auth/token${QUIET}`,
        () => tokenOn(quiet),
      ),
    ...(inMemory && {
      [`ours POST /auth/token${REDIS_BESIDE}`]: () =>
        sideBySide(
          () => tokenOn(limitInRedis),
          `ours POST /auth/token${MEMORY_BESIDE}`,
          () => tokenOn(inMemory),
        ),
    }),
    'ours POST /auth/token': () => tokenOn(ours),
    'oidc-provider client_credentials': async () =>
      measure(peer, {
        method: 'POST',
        path: '/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          scope: 'api',
          ...peer.client,
        }).toString(),
      }),
    'ours POST /auth/token (one client per connection)': async () =>
      measure(ours, {
        method: 'POST',
        path: '/auth/token',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => ({ ...req, body: JSON.stringify(nextClient().key) }),
      }),
    [`ours POST /auth/token/refresh${DEFAULTS_BESIDE}`]: () =>
      sideBySide(
        () => refreshOn(defaults),
        `ours POST /auth/token/refresh${QUIET}`,
        () => refreshOn(quiet),
      ),
    ...(inMemory && {
      [`ours POST /auth/token/refresh${REDIS_BESIDE}`]: () =>
        sideBySide(
          () => refreshOn(limitInRedis),
          `ours POST /auth/token/refresh${MEMORY_BESIDE}`,
          () => refreshOn(inMemory),
        ),
    }),
    'ours POST /auth/token/refresh': () => refreshOn(ours),
    'oidc-provider refresh_token': async () => {
      const queue = await peer.mint(spare);
      const form = (token) =>
        new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: token,
          ...peer.client,
        }).toString();
      return measure(
        peer,
        rotating(
          '/token',
          queue,
          form,
          (b) => b.refresh_token,
          'application/x-www-form-urlencoded',
        ),
      );
    },
    'ours GET /api-users/me (reused token)': async () =>
      measure(ours, {
        method: 'GET',
        path: '/api-users/me',
        headers: { authorization: `Bearer ${reusedToken}` },
      }),
    'ours GET /api-users/me (one client per connection, token reused)': async () =>
      measure(ours, {
        method: 'GET',
        path: '/api-users/me',
        setupRequest: (req) => ({
          ...req,
          headers: { authorization: `Bearer ${nextReader().accessToken}` },
        }),
      }),
    'ours GET /api-users/me (fresh token)': async () =>
      measure(ours, {
        method: 'GET',
        path: '/api-users/me',
        setupRequest: (req) => ({
          ...req,
          headers: {
            authorization: `Bearer ${freshAccessTokens[freshIndex++ % freshAccessTokens.length]}`,
          },
        }),
      }),
    'bare Nest route (Fastify)': async () => measure(bare, { method: 'GET', path: '/bare' }),
  };
  for (const name of Object.keys(scenarios)) if (!selected(name)) delete scenarios[name];
  // Calibration: the bare route spending a fixed time per request, on a POST the size of a
  // refresh (body and answer), so that its rate and p99 can be set beside ours.
  const calibrationTargets = [];
  for (const micros of CALIBRATION_MICROS) {
    const target = await startForked('scripts/bench/bare-nest-target.cjs', String(micros));
    calibrationTargets.push(target);
    scenarios[`calibration: bare Nest POST, ${micros} µs busy per request`] = async () =>
      measure(target, {
        method: 'POST',
        path: '/bare',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: randomBytes(38).toString('base64url') }),
      });
  }
  const runs = Object.fromEntries(Object.keys(scenarios).map((name) => [name, []]));
  if (CPU_PROF_DIR) {
    mkdirSync(CPU_PROF_DIR, { recursive: true });
    process.kill(ours.pid, 'SIGWINCH');
  }
  try {
    if (WARMUP > 0) {
      measurementSeconds = WARMUP;
      // The fresh-token scenario would spend its pool of unused tokens.
      for (const [name, run] of Object.entries(scenarios))
        if (!name.includes('fresh token')) await run();
      measurementSeconds = DURATION;
      log(`  warmed up: each scenario ran ${WARMUP} s unmeasured`);
    }
    for (let repeat = 1; repeat <= REPEATS; repeat += 1) {
      for (const [scenario, run] of Object.entries(scenarios)) {
        const { beside, ...measured } = await run();
        for (const [name, result] of [[scenario, measured], ...Object.entries(beside ?? {})]) {
          (runs[name] ??= []).push(result);
          log(
            `  [${repeat}/${REPEATS}] ${name}: ${result.rps}/s p50 ${result.p50} ms p99 ${result.p99} ms ${result.cpu_us_per_req} µs/req${result.db_cpu_us_per_req ? ` (database ${result.db_cpu_us_per_req})` : ''}${result.non2xx ? ` non-2xx ${result.non2xx} ${JSON.stringify(result.statuses)}` : ''}`,
          );
        }
      }
    }
  } finally {
    await Promise.all(
      [ours, defaults, quiet, limitInRedis, inMemory, peer, bare, ...calibrationTargets].map(
        (target) => target?.stop(),
      ),
    );
  }

  const table = Object.fromEntries(
    Object.entries(runs).map(([name, results]) => [
      name,
      {
        rps: median(results.map((r) => r.rps)),
        p50_ms: median(results.map((r) => r.p50)),
        p99_ms: median(results.map((r) => r.p99)),
        p99_per_round_trip: median(results.map((r) => r.p99_per_round_trip)),
        cpu_us_per_req: median(results.map((r) => r.cpu_us_per_req ?? 0)),
        db_cpu_us_per_req: median(results.map((r) => r.db_cpu_us_per_req ?? 0)),
        non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
      },
    ]),
  );
  const rps = (name) => table[name]?.rps ?? NaN;
  const ratios = {
    'refresh: ours / oidc-provider':
      rps('ours POST /auth/token/refresh') / rps('oidc-provider refresh_token'),
    'token: ours / oidc-provider client_credentials':
      rps('ours POST /auth/token') / rps('oidc-provider client_credentials'),
    'token, one client per connection: ours / oidc-provider client_credentials':
      rps('ours POST /auth/token (one client per connection)') /
      rps('oidc-provider client_credentials'),
    'protected route, reused token: ours / bare route':
      rps('ours GET /api-users/me (reused token)') / rps('bare Nest route (Fastify)'),
    'protected route, one client per connection, token reused: ours / bare route':
      rps('ours GET /api-users/me (one client per connection, token reused)') /
      rps('bare Nest route (Fastify)'),
    'protected route, fresh token: ours / bare route':
      rps('ours GET /api-users/me (fresh token)') / rps('bare Nest route (Fastify)'),
    // Defaults against observability off, side by side on one core: below 1 is what the
    // defaults cost (budget: 0.9). The median of each repeat's own ratio.
    'refresh, defaults / observability off': pairedRatio(
      runs[`ours POST /auth/token/refresh${DEFAULTS_BESIDE}`],
      runs[`ours POST /auth/token/refresh${QUIET}`],
    ),
    'token, defaults / observability off': pairedRatio(
      runs[`ours POST /auth/token${DEFAULTS_BESIDE}`],
      runs[`ours POST /auth/token${QUIET}`],
    ),
    ...(REDIS && {
      // Below 1 is what counting the limit in Redis costs against counting it in memory: the
      // median of each repeat's own ratio, the two servers side by side on one core.
      'token, rate limit in Redis / in memory': pairedRatio(
        runs[`ours POST /auth/token${REDIS_BESIDE}`],
        runs[`ours POST /auth/token${MEMORY_BESIDE}`],
      ),
      'refresh, rate limit in Redis / in memory': pairedRatio(
        runs[`ours POST /auth/token/refresh${REDIS_BESIDE}`],
        runs[`ours POST /auth/token/refresh${MEMORY_BESIDE}`],
      ),
    }),
  };
  const report = {
    date: new Date().toISOString(),
    settings: {
      repeats: REPEATS,
      duration_s: DURATION,
      warmup_s: WARMUP,
      connections: CONNECTIONS,
      pinned: TASKSET,
      node: process.version,
      database: POSTGRES ? 'embedded PostgreSQL (pinned to the server core)' : 'embedded SQLite',
      rate_limit: REDIS
        ? 'on, counted in redis-server (pinned to the server core); in memory for the scenario so named'
        : 'off',
    },
    medians: table,
    ratios: Object.fromEntries(Object.entries(ratios).map(([k, v]) => [k, Number(v.toFixed(2))])),
    runs,
  };
  writeFileSync(OUT, `${JSON.stringify(report, null, 2)}\n`);

  console.log(
    `\n| target | req/s | p50 ms | p99 ms | p99 / round trip | CPU µs/req | non-2xx |\n|---|---:|---:|---:|---:|---:|---:|`,
  );
  for (const [name, row] of Object.entries(table)) {
    console.log(
      `| ${name} | ${row.rps} | ${row.p50_ms} | ${row.p99_ms} | ${row.p99_per_round_trip} | ${row.cpu_us_per_req} | ${row.non2xx} |`,
    );
  }
  console.log(`\n| ratio (medians, same run) | value |\n|---|---:|`);
  for (const [name, value] of Object.entries(report.ratios)) console.log(`| ${name} | ${value} |`);
  console.log(`\nJSON: ${OUT}`);
}

main().catch((error) => {
  log(`bench failed: ${error.stack ?? error}`);
  process.exit(1);
});
