import { toIso } from '../common/clock';
import type { ApiKeyEntity } from './api-key.entity';
import type { ApiUserEntity } from './api-user.entity';
import type { ApiKeyDto } from './dto/api-key.dto';
import type { ApiUserDto } from './dto/api-user.dto';

export function toApiUserDto(user: ApiUserEntity): ApiUserDto {
  return {
    id: user.id,
    name: user.name,
    role: user.role,
    status: user.status,
    created_at: toIso(user.createdAt) as string,
    updated_at: toIso(user.updatedAt) as string,
  };
}

const listOf = (spaced: string | null): string[] | null =>
  spaced === null ? null : spaced.split(' ');

export function toApiKeyDto(key: ApiKeyEntity): ApiKeyDto {
  return {
    api_key_id: key.id,
    name: key.name,
    scopes: listOf(key.scopes),
    expires_at: toIso(key.expiresAt),
    allowed_cidrs: listOf(key.allowedCidrs),
    last_used_at: toIso(key.lastUsedAt),
    created_at: toIso(key.createdAt) as string,
    revoked_at: toIso(key.revokedAt),
  };
}
