import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The host reads its settings from the environment: a fresh database file per test file.
Object.assign(process.env, {
  DATABASE_PATH: join(mkdtempSync(join(tmpdir(), 'nest12-host-')), 'host.sqlite'),
  ISSUER_URL: 'https://nest12-host.example',
  KEY_ENCRYPTION_SECRET: 'nest12-host-key-encryption-secret-0123456789',
  ADMIN_KEY_ID: 'nest12-admin-key-0001',
  ADMIN_KEY_SECRET: 'Nest12-admin-secret-for-tests-0123456789abcdef',
});
