export class ApiKeyDto {
  /** @example 2khK02ZRc_TE9nYJyGIfIQ */
  api_key_id: string;

  /** @example 2026-11-22T12:00:00.000Z */
  created_at: string;

  /** Set once the key is revoked; null while it works. */
  revoked_at: string | null;
}

export class CreatedApiKeyDto {
  /** @example 2khK02ZRc_TE9nYJyGIfIQ */
  api_key_id: string;

  /** Shown only in this response; only its hash is stored. */
  api_key_secret: string;

  /** @example 2026-11-22T12:00:00.000Z */
  created_at: string;
}
