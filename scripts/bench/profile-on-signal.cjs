// Preloaded (`node -r`) into our server by `npm run bench -- --cpu-prof DIR`: a V8 CPU profile
// of the measurements only. SIGWINCH starts it (Nest's shutdown hooks own SIGUSR2) (after start-up and the benchmark's set-up
// requests), SIGTERM writes it to DIR and exits.
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.BENCH_CPU_PROF_DIR;
const session = new Session();
session.connect();
const post = (method, params) =>
  new Promise((resolve, reject) =>
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
  );

process.on('SIGWINCH', () => {
  post('Profiler.enable')
    .then(() => post('Profiler.setSamplingInterval', { interval: 200 }))
    .then(() => post('Profiler.start'))
    .catch((error) => process.stderr.write(`profiler: ${error.message}\n`));
});
let stopping = false;
// `on`, not `once`: Nest's shutdown hook raises SIGTERM again after closing the app, and the
// process must live until the profile is written.
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  post('Profiler.stop')
    .then(({ profile }) => {
      const file = join(dir, `server-${process.pid}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      process.stderr.write(`profile written: ${file}\n`);
    })
    .catch((error) => process.stderr.write(`profiler: ${error.message}\n`))
    .finally(() => process.exit(0));
});
