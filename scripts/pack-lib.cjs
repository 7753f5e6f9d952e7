// Builds the library, packs it as npm would publish it (npm pack), and installs the tarball
// into test/hosts/node_modules, where the fixture host apps import it by its package name:
// they exercise the built package, not the sources. Peer dependencies resolve to the
// project's own node_modules, so there is one @nestjs/core, as in a real host.
const { execFileSync } = require('node:child_process');
const { mkdirSync, mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const root = join(__dirname, '..');
execFileSync(process.execPath, [join(__dirname, 'build-lib.cjs')], { stdio: 'inherit' });
const out = mkdtempSync(join(tmpdir(), 'nest-auth-pack-'));
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
rmSync(out, { recursive: true, force: true });
console.log(`installed ${tarball} into test/hosts/node_modules/@keyring/nest-auth`);
