import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const LIB_SRC = join(ROOT, 'libs/auth/src');
const INSTALLED = join(__dirname, 'node_modules/@keyring/nest-auth');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

describe('The library package', () => {
  it("README's integration example is the Express fixture host's module, verbatim, under 30 lines", () => {
    const readme = readFileSync(join(ROOT, 'libs/auth/README.md'), 'utf8');
    const match = /<!-- example: (\S+) -->\n+```ts\n([\s\S]*?)```/.exec(readme);
    expect(match).not.toBeNull();
    const [, file, block] = match as RegExpExecArray;
    expect(block).toBe(readFileSync(join(ROOT, file), 'utf8'));
    expect(block.trimEnd().split('\n').length).toBeLessThan(30);
  });

  it('never reads process.env, and imports inside the library only by relative paths', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(LIB_SRC)) {
      const text = readFileSync(file, 'utf8');
      if (/process\.env/.test(text)) offenders.push(`${relative(ROOT, file)}: process.env`);
      for (const [, spec] of text.matchAll(/from '([^']+)'/g)) {
        if (spec.startsWith('.') && !resolve(file, '..', spec).startsWith(LIB_SRC))
          offenders.push(`${relative(ROOT, file)}: ${spec}`);
        if (/^(src|libs|test)\//.test(spec)) offenders.push(`${relative(ROOT, file)}: ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('is packed with its build, types and README only, and declares Nest and TypeORM as peers', () => {
    const manifest = JSON.parse(readFileSync(join(INSTALLED, 'package.json'), 'utf8'));
    expect(manifest.exports['.']).toEqual({
      types: './dist/index.d.ts',
      require: './dist/index.js',
      default: './dist/index.js',
    });
    for (const peer of ['@nestjs/common', '@nestjs/core', '@nestjs/typeorm', 'typeorm']) {
      expect(manifest.peerDependencies[peer]).toEqual(expect.any(String));
      expect(manifest.dependencies?.[peer]).toBeUndefined();
    }
    expect(readdirSync(INSTALLED).sort()).toEqual(['README.md', 'dist', 'package.json']);
    const dist = readdirSync(join(INSTALLED, 'dist'));
    expect(dist).toEqual(expect.arrayContaining(['index.js', 'index.d.ts']));
    expect(sourceFiles(join(INSTALLED, 'dist')).filter((file) => !file.endsWith('.d.ts'))).toEqual(
      [],
    );
  });

  it('carries its sources inside its source maps (the package holds no .ts files)', () => {
    const maps = readdirSync(join(INSTALLED, 'dist')).filter((name) => name.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(0);
    for (const name of maps) {
      const map = JSON.parse(readFileSync(join(INSTALLED, 'dist', name), 'utf8')) as {
        sources: string[];
        sourcesContent?: (string | null)[];
      };
      expect(map.sourcesContent?.length).toBe(map.sources.length);
      expect(map.sourcesContent?.every((text) => typeof text === 'string' && text.length > 0)).toBe(
        true,
      );
    }
  });

  it('leaves the tarball it packed in packed/, for installing into a host', () => {
    const manifest = JSON.parse(readFileSync(join(INSTALLED, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(readdirSync(join(ROOT, 'packed'))).toContain(
      `keyring-nest-auth-${manifest.version}.tgz`,
    );
  });

  it('exports what a host needs', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported = Object.keys(require('@keyring/nest-auth') as object).sort();
    expect(exported).toEqual(
      [
        'AUTH_ENTITIES',
        'AUTH_FAILURE_REASONS',
        'AUTH_MIGRATIONS',
        'NO_AUTH_METRICS',
        'REFRESH_RESULTS',
        'SECURITY_EVENT_TYPES',
        'SESSION_REVOKED_REASONS',
        'TOKEN_GRANTS',
        'AUTH_SECURITY_SCHEMES',
        'addAuthSecuritySchemes',
        'documentAuthGuard',
        'AuthModule',
        'Authenticated',
        'BearerAuthGuard',
        'CurrentPrincipal',
        'DomainError',
        'ErrorFilter',
        'PROFILE_NAMES',
        'Public',
        'WalletRefreshErrorFilter',
        'SessionsService',
        'SigningKeyLifecycleService',
        'TokenService',
        'WalletOperation',
        'WalletTokenGuard',
        'authMigrations',
        'createValidationPipe',
        'renderError',
        'walletRefreshStatus',
      ].sort(),
    );
  });
});
