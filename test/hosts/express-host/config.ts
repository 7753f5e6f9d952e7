import { registerAs } from '@nestjs/config';
import type { AuthModuleOptions } from '@keyring/nest-auth';

/** The host's settings, read from its environment (the library itself never reads it). */
export const databaseConfig = registerAs('database', () => ({
  path: process.env.DATABASE_PATH ?? 'data/app.sqlite',
}));

export const authConfig = registerAs('auth', (): AuthModuleOptions => ({
  issuer: process.env.ISSUER_URL ?? 'http://localhost:3000',
  // Required by the library: it seals the signing keys. A host reads it from its own secrets.
  keyEncryptionSecret: process.env.KEY_ENCRYPTION_SECRET ?? '',
  bootstrapAdmin:
    process.env.ADMIN_KEY_ID && process.env.ADMIN_KEY_SECRET
      ? { apiKeyId: process.env.ADMIN_KEY_ID, apiKeySecret: process.env.ADMIN_KEY_SECRET }
      : undefined,
}));
