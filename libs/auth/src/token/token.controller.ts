import { Body, Controller, Header, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-errors.decorator';
import { ClientIp } from '../common/client-ip';
import { Public } from '../common/decorators';
import { JsonBody } from '../common/json-body';
import { TokenRequestDto } from './dto/token-request.dto';
import { TokenResponseDto } from './dto/token-response.dto';
import { TokenService, type IssuedTokens } from './token.service';

export function toTokenResponse(tokens: IssuedTokens): TokenResponseDto {
  return {
    access_token: tokens.accessToken,
    expires_in: tokens.expiresIn,
    refresh_token: tokens.refreshToken,
    session_state: tokens.sessionId,
    token_type: 'Bearer',
  };
}

@ApiTags('Auth')
@Controller('auth')
export class TokenController {
  constructor(private readonly tokens: TokenService) {}

  @Post('token')
  @Public()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @JsonBody()
  @ApiOperation({
    summary: 'Get JWT tokens',
    description:
      'Exchanges API key credentials for an access token and a single-use refresh token, opening a new session.',
  })
  @ApiResponse({ status: 200, type: TokenResponseDto, description: 'JWT tokens.' })
  @ApiErrors([
    401,
    'Unknown key, wrong secret, revoked key or inactive user: always `invalid_credentials`.',
  ])
  async token(
    @Body() body: TokenRequestDto,
    @ClientIp() ip: string | null,
  ): Promise<TokenResponseDto> {
    return toTokenResponse(
      await this.tokens.exchangeApiKey(body.api_key_id, body.api_key_secret, ip),
    );
  }
}
