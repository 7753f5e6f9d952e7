import type { ResolvedAuthOptions } from '../auth.module-definition';
import { DomainError, type ErrorDetail } from '../common/domain-error';
import { isDeclaredAll } from '../common/scopes';
import { canonicalCidr } from './address-allow-list';
import type { ApiKeyEntity } from './api-key.entity';
import type { CreateApiKeyDto } from './dto/api-key.dto';

/** A key's optional columns as stored (space-separated lists, epoch milliseconds). */
export type ApiKeyRestrictions = Pick<
  ApiKeyEntity,
  'name' | 'scopes' | 'expiresAt' | 'allowedCidrs'
>;

export const NO_RESTRICTIONS: ApiKeyRestrictions = {
  name: null,
  scopes: null,
  expiresAt: null,
  allowedCidrs: null,
};

const DAY_MS = 86_400_000;

/**
 * The restrictions a create request asks for, checked against what the DTO cannot know: the
 * declared scopes, the CIDRs' syntax, the expiry's bounds. Every problem becomes one entry of
 * a `validation_failed` answer's details.
 */
export function restrictionsFrom(
  body: CreateApiKeyDto | undefined,
  now: number,
  options: Pick<ResolvedAuthOptions, 'scopes' | 'apiKeyMaxLifetimeDays'>,
): ApiKeyRestrictions {
  if (!body) return NO_RESTRICTIONS;
  const details: ErrorDetail[] = [];
  const scopes = body.scopes && [...new Set(body.scopes)];
  scopes?.forEach((scope, i) => {
    if (!isDeclaredAll([scope], options.scopes))
      details.push({ code: 'isDeclaredScope', message: 'unknown scope', target: `scopes[${i}]` });
  });
  const cidrs = body.allowed_cidrs?.map((text, i) => {
    const cidr = canonicalCidr(text);
    if (cidr === null)
      details.push({
        code: 'isCidr',
        message: 'must be an IPv4 or IPv6 CIDR, such as 203.0.113.0/24',
        target: `allowed_cidrs[${i}]`,
      });
    return cidr;
  });
  let expiresAt: number | null = null;
  if (body.expires_at !== undefined) {
    expiresAt = Date.parse(body.expires_at);
    const max = options.apiKeyMaxLifetimeDays;
    if (!(expiresAt > now))
      details.push({ code: 'isFuture', message: 'must be in the future', target: 'expires_at' });
    else if (max > 0 && expiresAt > now + max * DAY_MS)
      details.push({
        code: 'isWithinMaxLifetime',
        message: `must be at most ${max} days from now`,
        target: 'expires_at',
      });
  }
  if (details.length > 0)
    throw new DomainError('validation_failed', undefined, details[0].target, details);
  return {
    name: body.name ?? null,
    scopes: scopes ? scopes.join(' ') : null,
    expiresAt,
    allowedCidrs: cidrs ? [...new Set(cidrs as string[])].join(' ') : null,
  };
}
