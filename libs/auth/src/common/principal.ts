export const ROLES = ['admin', 'operator'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: what the bearer guard derives from a verified access token. */
export interface Principal {
  apiUserId: string;
  role: Role;
  sessionId: string;
  apiKeyId: string;
  tokenId: string;
  expiresAt: number;
  /** The token's `scope` claim as a list; null when it has none (a key without scopes). */
  scopes: readonly string[] | null;
}

/** An admin may act on anyone; an operator only on itself. */
export function canActOn(principal: Principal, apiUserId: string): boolean {
  return principal.role === 'admin' || principal.apiUserId === apiUserId;
}
