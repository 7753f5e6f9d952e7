import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { MIN_KEY_ENCRYPTION_SECRET_LENGTH } from '../../libs/auth/src/keys/key-encryption';
import { ConfigError, type AppConfig } from './env';

/** The file, beside the SQLite database, that holds a generated key-encryption secret. */
export const SECRET_FILE_NAME = 'key-encryption.secret';

export function secretFileFor(databasePath: string): string {
  return join(dirname(resolve(databasePath)), SECRET_FILE_NAME);
}

/**
 * The secret that seals the signing keys: KEY_ENCRYPTION_SECRET when set. On the embedded
 * database without it, a random secret kept in `key-encryption.secret` beside the database
 * (created once, mode 0600, reused on later starts), with a warning: a copy of the data
 * folder then holds the secret with the keys. PostgreSQL without it never gets here
 * (loadConfig refuses).
 */
export function keyEncryptionSecretFor(
  config: Pick<AppConfig, 'keyEncryptionSecret' | 'database'>,
  logger = new Logger('KeyEncryption'),
): string {
  if (config.keyEncryptionSecret) return config.keyEncryptionSecret;
  if (config.database.type !== 'sqlite') {
    throw new ConfigError('KEY_ENCRYPTION_SECRET', 'is required with DATABASE_URL (PostgreSQL)');
  }
  const file = secretFileFor(config.database.path);
  mkdirSync(dirname(file), { recursive: true });
  let secret = createIfMissing(file);
  if (secret === undefined) {
    secret = readFileSync(file, 'utf8').trim();
    if (secret.length < MIN_KEY_ENCRYPTION_SECRET_LENGTH) {
      throw new ConfigError(
        'KEY_ENCRYPTION_SECRET',
        `is unset and ${file} does not hold a secret of at least ${MIN_KEY_ENCRYPTION_SECRET_LENGTH} characters`,
      );
    }
    // Tighten a file whose mode was loosened by hand or a copy.
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  }
  logger.warn(
    `KEY_ENCRYPTION_SECRET is unset: signing keys are sealed with the secret in ${file}. Set KEY_ENCRYPTION_SECRET to keep the secret apart from the database.`,
  );
  return secret;
}

/** Writes a fresh secret unless the file exists (then undefined); `wx` makes this race-free. */
function createIfMissing(file: string): string | undefined {
  const secret = randomBytes(32).toString('base64url');
  try {
    writeFileSync(file, `${secret}\n`, { flag: 'wx', mode: 0o600 });
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw error;
  }
}
