import { AuthController } from '../common/auth-controller.decorator';
import { Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-errors.decorator';
import { ClientIp } from '../common/client-ip';
import { toIso } from '../common/clock';
import { Authenticated, CurrentPrincipal } from '../common/decorators';
import { ParsePublicIdPipe } from '../common/path-params';
import type { Principal } from '../common/principal';
import { RotatedSigningKeyDto, SigningKeyDto, SigningKeyListDto } from './dto/signing-key.dto';
import { SigningKeyLifecycleService, type SigningKeyInfo } from './signing-key-lifecycle.service';

export function toSigningKeyDto(key: SigningKeyInfo): SigningKeyDto {
  return {
    kid: key.kid,
    alg: key.alg,
    status: key.status,
    created_at: toIso(key.createdAt) as string,
    activated_at: toIso(key.activatedAt),
    retired_at: toIso(key.retiredAt),
    revoked_at: toIso(key.revokedAt),
  };
}

@ApiTags('Keys')
@AuthController('keys')
@Authenticated({ roles: ['admin'] })
export class KeysController {
  constructor(private readonly lifecycle: SigningKeyLifecycleService) {}

  @Get()
  @ApiOperation({
    summary: 'List signing keys',
    description: 'Every access-token signing key with its status and dates. No key material.',
  })
  @ApiResponse({ status: 200, type: SigningKeyListDto })
  async list(): Promise<SigningKeyListDto> {
    return { keys: (await this.lifecycle.list()).map(toSigningKeyDto) };
  }

  @Post('rotate')
  @ApiOperation({
    summary: 'Rotate the signing key',
    description:
      'The `next` key becomes active (one is generated if none exists), the active key is retired (tokens it signed keep verifying until they expire) and a fresh `next` key is generated. Every instance signs with the new key within 1.5 s. Audit event `signing_key.rotated`.',
  })
  @ApiResponse({ status: 201, type: RotatedSigningKeyDto })
  async rotate(
    @CurrentPrincipal() principal: Principal,
    @ClientIp() ip: string | null,
  ): Promise<RotatedSigningKeyDto> {
    return { kid: await this.lifecycle.rotate({ apiUserId: principal.apiUserId, ip }) };
  }

  @Post(':kid/revoke')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Revoke a signing key',
    description:
      'The key leaves the JWK set and every access token or wallet token it signed is refused (401), on every instance within 1.5 s. Revoking the active key rotates first. Audit event `signing_key.revoked`.',
  })
  @ApiResponse({ status: 200, type: SigningKeyDto })
  @ApiErrors(404)
  async revoke(
    @Param('kid', new ParsePublicIdPipe('kid')) kid: string,
    @CurrentPrincipal() principal: Principal,
    @ClientIp() ip: string | null,
  ): Promise<SigningKeyDto> {
    return toSigningKeyDto(
      await this.lifecycle.revoke(kid, { apiUserId: principal.apiUserId, ip }),
    );
  }
}
