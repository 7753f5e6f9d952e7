// Builds the library, packs it as npm would publish it (npm pack) into packed/ (kept, for a
// host of your own: `npm install /path/to/packed/keyring-nest-auth-<version>.tgz`), and
// installs the tarball into test/hosts/node_modules, where the fixture host apps import it by
// its package name: they exercise the built package, not the sources. Peer dependencies resolve to the
// project's own node_modules, so there is one @nestjs/core, as in a real host.
const { execFileSync } = require('node:child_process');
const { mkdirSync, rmSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
execFileSync(process.execPath, [join(__dirname, 'build-lib.cjs')], { stdio: 'inherit' });
// Not under dist/: the server's build empties that folder.
const out = join(root, 'packed');
mkdirSync(out, { recursive: true });
const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', out], {
  cwd: join(root, 'libs/auth'),
  encoding: 'utf8',
})
  .trim()
  .split('\n')
  .pop();
const target = join(root, 'test/hosts/node_modules/@keyring/nest-auth');
rmSync(target, { recursive: true, force: true });
mkdirSync(target, { recursive: true });
execFileSync('tar', ['-xzf', join(out, tarball), '-C', target, '--strip-components=1']);
console.log(
  `packed packed/${tarball}; installed it into test/hosts/node_modules/@keyring/nest-auth`,
);
