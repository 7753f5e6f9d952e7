// Summarises a V8 .cpuprofile (from `npm run bench -- --cpu-prof DIR`): where the server's CPU
// went, by package and by function, as shares of the non-idle samples.
//
//   node scripts/bench/profile-summary.mjs FILE.cpuprofile [--top 25]
import { readFileSync } from 'node:fs';

const [file] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const topIndex = process.argv.indexOf('--top');
const TOP = topIndex === -1 ? 25 : Number(process.argv[topIndex + 1]);
if (!file) {
  process.stderr.write('usage: profile-summary.mjs FILE.cpuprofile [--top N]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));

/** Self time per node id, in µs, from the sample timeline. */
const selfMicros = new Map();
profile.samples.forEach((id, i) => {
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});

/** Which package (or part of the runtime) a frame belongs to. */
function areaOf(frame) {
  const url = frame.url ?? '';
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules !== -1) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return 'node internals';
  if (url.includes('/dist/libs/')) return 'ours: libs/auth';
  if (url.includes('/dist/src/')) return 'ours: src';
  return url;
}

/**
 * The server's request steps, by a frame that marks each on the stack; a sample counts for
 * the first step (in this order) whose frame is on its stack, unless a frame matching the
 * step's third pattern is there too.
 */
const STEPS = [
  ['SQLite write (group commit: statements + commit)', /sqlite-group-commit\.js/],
  ['PostgreSQL statements (pg client)', /\/(pg|pg-pool|pg-protocol)\//],
  [
    'database read (prepared)',
    /sqlite-session\.statements\.js|prepared-read\.js|batched-(sqlite|pg)-read\.js/,
  ],
  ['ES256 signing', /keys\/jws\.js/],
  ['body validation (class-transformer + class-validator)', /pipes\/validation\.pipe\.js/],
  ['bearer guard', /bearer-auth\.guard\.js/],
  ['successor, hashes, ids, audit event', /common\/(crypto|ids)\.js|audit\.service\.js/],
  // Fastify calls the route's handler from the body parser's callback: only what runs before
  // Nest's router takes over is parsing.
  [
    'body parsing (Fastify content-type parser)',
    /content-type-parser\.js/,
    /router-execution-context|guards-consumer/,
  ],
  ['response write', /lib\/reply\.js/],
  [
    'HTTP parsing and routing (node:http, Fastify, Nest)',
    /_http_common|_http_server|find-my-way|router-execution-context/,
  ],
  ['garbage collector', /\(garbage collector\)$/],
];
const parentOf = new Map();
for (const node of profile.nodes)
  for (const child of node.children ?? []) parentOf.set(child, node);
const frameKey = (node) => `${node.callFrame.url} ${node.callFrame.functionName}`.trim();
const byStep = new Map();

const byArea = new Map();
const byFunction = new Map();
let total = 0;
for (const node of profile.nodes) {
  const micros = selfMicros.get(node.id) ?? 0;
  const frame = node.callFrame;
  if (frame.functionName === '(idle)' || micros === 0) continue;
  total += micros;
  const area = areaOf(frame);
  let step = 'other';
  const stack = [];
  for (let current = node; current; current = parentOf.get(current.id))
    stack.push(frameKey(current));
  for (const [name, pattern, unless] of STEPS) {
    if (
      stack.some((key) => pattern.test(key)) &&
      !(unless && stack.some((key) => unless.test(key)))
    ) {
      step = name;
      break;
    }
  }
  byStep.set(step, (byStep.get(step) ?? 0) + micros);
  byArea.set(area, (byArea.get(area) ?? 0) + micros);
  const where = frame.url
    ? `${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}`
    : '';
  const key = `${frame.functionName || '(anonymous)'} ${where} [${area}]`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
}

const share = (micros) => `${((100 * micros) / total).toFixed(1).padStart(5)}%`;
const sorted = (map) => [...map.entries()].sort((a, b) => b[1] - a[1]);
console.log(`busy: ${(total / 1e6).toFixed(2)} s of samples\n\nby request step:`);
for (const [step, micros] of sorted(byStep)) console.log(`${share(micros)}  ${step}`);
console.log(`\nby area:`);
for (const [area, micros] of sorted(byArea).slice(0, TOP)) console.log(`${share(micros)}  ${area}`);
console.log(`\nby function (self time):`);
for (const [name, micros] of sorted(byFunction).slice(0, TOP))
  console.log(`${share(micros)}  ${name}`);
