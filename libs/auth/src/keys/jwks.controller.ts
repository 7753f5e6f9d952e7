import { AuthController } from '../common/auth-controller.decorator';
import { Get, Header } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/decorators';
import { SigningKeysService, type PublicJwk } from './signing-keys.service';

class JwkSetDto {
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    example: [
      { kty: 'EC', crv: 'P-256', x: '...', y: '...', kid: '...', alg: 'ES256', use: 'sig' },
    ],
  })
  keys: PublicJwk[];
}

@ApiTags('Keys')
@AuthController('.well-known')
export class JwksController {
  constructor(private readonly keys: SigningKeysService) {}

  @Get('jwks.json')
  @Public()
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({
    summary: 'JWK set',
    description: 'Public keys that verify access tokens (ES256), by `kid`.',
  })
  @ApiResponse({ status: 200, type: JwkSetDto })
  jwks(): JwkSetDto {
    return { keys: this.keys.publishedKeys };
  }
}
