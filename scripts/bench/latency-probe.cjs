// Preloaded (`node -r`) into our server by `npm run bench -- --probe FILE`: once a second, one
// JSON line appended to FILE with what the server itself saw in that second. Used to tell the
// server's share of a latency tail from the load generator's and the kernel's.
//   n, p50, p90, p99, max: ms from Node's 'request' event (headers parsed) to the response's
//     'finish', for every request;
//   loop_p50, loop_p99, loop_max: event-loop delay in ms (monitorEventLoopDelay, 1 ms
//     resolution): how long a turn kept timers waiting;
//   gc_n, gc_ms, gc_max, gc_major: garbage-collection pauses (scavenges and the rest).
// Seconds with fewer than 100 requests (start-up, set-up) are not written.
const { monitorEventLoopDelay, createHistogram } = require('node:perf_hooks');
const { Server } = require('node:http');
const { appendFileSync } = require('node:fs');

const file = process.env.BENCH_PROBE_FILE;
const SCAVENGE = 1; // PerformanceEntry detail.kind of a minor GC (NODE_PERFORMANCE_GC_MINOR)
let gc = { n: 0, ms: 0, max: 0, major: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gc.n += 1;
    gc.ms += entry.duration;
    gc.max = Math.max(gc.max, entry.duration);
    if (entry.detail?.kind !== SCAVENGE) gc.major += 1;
  }
}).observe({ entryTypes: ['gc'] });
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
const latency = createHistogram();

const emit = Server.prototype.emit;
Server.prototype.emit = function (event, request, response) {
  if (event === 'request') {
    const start = process.hrtime.bigint();
    response.once('finish', () =>
      latency.record(Math.max(1, Number((process.hrtime.bigint() - start) / 1000n))),
    );
  }
  return emit.apply(this, arguments);
};

const ms = (value, scale) => Math.round((value / scale) * 10) / 10;
setInterval(() => {
  if (latency.count >= 100)
    appendFileSync(
      file,
      `${JSON.stringify({
        n: latency.count,
        p50: ms(latency.percentile(50), 1e3),
        p90: ms(latency.percentile(90), 1e3),
        p99: ms(latency.percentile(99), 1e3),
        max: ms(latency.max, 1e3),
        loop_p50: ms(loop.percentile(50), 1e6),
        loop_p99: ms(loop.percentile(99), 1e6),
        loop_max: ms(loop.max, 1e6),
        gc_n: gc.n,
        gc_ms: ms(gc.ms, 1),
        gc_max: ms(gc.max, 1),
        gc_major: gc.major,
      })}\n`,
    );
  latency.reset();
  loop.reset();
  gc = { n: 0, ms: 0, max: 0, major: 0 };
}, 1000).unref();
