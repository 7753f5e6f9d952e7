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

const byArea = new Map();
const byFunction = new Map();
let total = 0;
for (const node of profile.nodes) {
  const micros = selfMicros.get(node.id) ?? 0;
  const frame = node.callFrame;
  if (frame.functionName === '(idle)' || micros === 0) continue;
  total += micros;
  const area = areaOf(frame);
  byArea.set(area, (byArea.get(area) ?? 0) + micros);
  const where = frame.url
    ? `${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}`
    : '';
  const key = `${frame.functionName || '(anonymous)'} ${where} [${area}]`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
}

const share = (micros) => `${((100 * micros) / total).toFixed(1).padStart(5)}%`;
const sorted = (map) => [...map.entries()].sort((a, b) => b[1] - a[1]);
console.log(`busy: ${(total / 1e6).toFixed(2)} s of samples\n\nby area:`);
for (const [area, micros] of sorted(byArea).slice(0, TOP)) console.log(`${share(micros)}  ${area}`);
console.log(`\nby function (self time):`);
for (const [name, micros] of sorted(byFunction).slice(0, TOP))
  console.log(`${share(micros)}  ${name}`);
