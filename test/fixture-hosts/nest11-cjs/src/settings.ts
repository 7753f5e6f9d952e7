/** The host's settings, from its environment (the library itself never reads it). */
export const settings = {
  databasePath: process.env.DATABASE_PATH ?? 'data/host.sqlite',
  issuer: process.env.ISSUER_URL ?? 'http://localhost:3000',
  // Seals the library's signing keys at rest: from the host's own secret store (32+ characters).
  keyEncryptionSecret: process.env.KEY_ENCRYPTION_SECRET ?? '',
  adminKeyId: process.env.ADMIN_KEY_ID ?? '',
  adminKeySecret: process.env.ADMIN_KEY_SECRET ?? '',
};
