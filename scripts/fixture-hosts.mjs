// Installs the packed library into real Nest apps, as a developer would, and runs their tests.
// Usage: npm run test:hosts [-- name...]   (names: folders of test/fixture-hosts; default all)
//
// Packs @keyring/nest-auth (npm run pack:lib), then for each fixture host: copies it into a
// fresh temporary folder, adds "@keyring/nest-auth": "file:<tarball>" to its dependencies, runs
// a plain `npm install` (no --force, no --legacy-peer-deps: a peer-dependency conflict fails
// the run), `npm run build`, `npm test` and, when the host has one, `npm run test:e2e`.
// Prints one line per step with its time, the step's output when it fails, a summary, and
// exits non-zero when any host failed. KEEP_FIXTURE_HOSTS=1 keeps the temporary folders.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const hostsDir = join(root, 'test/fixture-hosts');
const available = readdirSync(hostsDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
const chosen = process.argv.slice(2);
const unknown = chosen.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`unknown fixture host(s): ${unknown.join(', ')} (have: ${available.join(', ')})`);
  process.exit(2);
}
const names = chosen.length > 0 ? chosen : available;

// Children are npm commands in another project: none of this run's own npm context leaks in
// (npm run sets the local prefix, the package's fields and the lifecycle of test:hosts).
const childEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    ([key]) =>
      !key.startsWith('npm_package_') &&
      !key.startsWith('npm_lifecycle_') &&
      key !== 'npm_config_local_prefix' &&
      key !== 'npm_command' &&
      key !== 'INIT_CWD',
  ),
);

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const log = (line) => console.log(`[fixture-hosts] ${line}`);

/** Runs a command, collecting its output; resolves with the exit code, output and time. */
function run(command, args, cwd) {
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn(command, args, { cwd, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => done({ code: -1, output: `${output}${error}`, ms: 0 }));
    child.on('close', (code, signal) =>
      done({ code: code ?? `signal ${signal}`, output, ms: Date.now() - started }),
    );
  });
}

async function step(label, command, args, cwd, prefix) {
  process.stdout.write(`[fixture-hosts] ${prefix}${label} ... `);
  const result = await run(command, args, cwd);
  console.log(
    `${result.code === 0 ? 'ok' : `FAILED (exit ${result.code})`} in ${seconds(result.ms)}`,
  );
  if (result.code !== 0) {
    console.log(`----- output of \`${[command, ...args].join(' ')}\` in ${cwd} -----`);
    console.log(result.output.trimEnd());
    console.log(`----- end of output -----`);
  } else {
    // What a passing step should still show: npm's peer and engine warnings, install scripts
    // it skipped, and the test runner's count (Jest's "Tests:" line, Vitest's "Tests").
    const plain = result.output.replace(
      new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'),
      '',
    );
    for (const line of plain.split('\n')) {
      if (
        /^npm warn (?!EBADENGINE).*(ERESOLVE|peer|allowScripts)/i.test(line) ||
        /^\s*Tests:?\s+\d+ (passed|failed)/.test(line)
      ) {
        console.log(`[fixture-hosts] ${prefix}  ${line.trim()}`);
      }
    }
    // npm spreads each engine warning over several lines: one line per package here.
    for (const [, pkg, wanted] of plain.matchAll(
      /package: '([^']+)',\s*npm warn EBADENGINE\s+required: \{[^}]*?node: '([^']+)'/g,
    )) {
      console.log(
        `[fixture-hosts] ${prefix}  engine warning: ${pkg} wants node ${wanted} (this is ${process.version})`,
      );
    }
  }
  return result;
}

const started = Date.now();
const packed = await step(
  'pack the library (npm run pack:lib)',
  'npm',
  ['run', 'pack:lib'],
  root,
  '',
);
if (packed.code !== 0) process.exit(1);
const version = JSON.parse(readFileSync(join(root, 'libs/auth/package.json'), 'utf8')).version;
const tarball = join(root, 'packed', `keyring-nest-auth-${version}.tgz`);
log(`tarball: ${tarball}`);

const results = [];
for (const name of names) {
  const prefix = `${name}: `;
  const source = join(hostsDir, name);
  const work = mkdtempSync(join(tmpdir(), `fixture-host-${name}-`));
  cpSync(source, work, {
    recursive: true,
    filter: (path) => !['node_modules', 'dist', 'package-lock.json'].includes(basename(path)),
  });
  const manifestPath = join(work, 'package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  manifest.dependencies = { ...manifest.dependencies, '@keyring/nest-auth': `file:${tarball}` };
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  log(`${prefix}copied to ${work}`);

  const steps = [
    ['install', 'npm', ['install', '--no-audit', '--no-fund']],
    ['build', 'npm', ['run', 'build']],
    ['test', 'npm', ['test']],
  ];
  if (manifest.scripts?.['test:e2e']) steps.push(['test:e2e', 'npm', ['run', 'test:e2e']]);
  const timings = {};
  let failed;
  for (const [label, command, args] of steps) {
    const result = await step(label, command, args, work, prefix);
    timings[label] = result.ms;
    if (result.code !== 0) {
      failed = label;
      break;
    }
  }
  results.push({ name, failed, timings });
  if (failed || process.env.KEEP_FIXTURE_HOSTS) log(`${prefix}kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

console.log('');
log('summary');
for (const { name, failed, timings } of results) {
  const times = Object.entries(timings)
    .map(([label, ms]) => `${label} ${seconds(ms)}`)
    .join(', ');
  console.log(
    `  ${failed ? 'FAIL' : 'pass'}  ${name}${failed ? ` (failed at ${failed})` : ''}: ${times}`,
  );
}
const failures = results.filter((result) => result.failed).length;
console.log(
  `${results.length - failures} passed, ${failures} failed (${seconds(Date.now() - started)})`,
);
process.exit(failures > 0 ? 1 : 0);
