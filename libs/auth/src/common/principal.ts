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
}

/** An admin may act on anyone; an operator only on itself. */
export function canActOn(principal: Principal, apiUserId: string): boolean {
  return principal.role === 'admin' || principal.apiUserId === apiUserId;
}
