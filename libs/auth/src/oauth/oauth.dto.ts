import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';

const GRANT_TYPES = ['client_credentials', 'refresh_token'] as const;

/** Client credentials in the body (`client_secret_post`); or use HTTP Basic (`client_secret_basic`). */
export class OAuthClientCredentialsDto {
  /** The API key id (client_secret_post only). */
  @ApiPropertyOptional({ example: '2khK02ZRc_TE9nYJyGIfIQ' })
  @IsOptional()
  @IsString()
  @Length(1, 256)
  client_id?: string;

  /** The API key secret (client_secret_post only). */
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 256)
  client_secret?: string;
}

/** `application/x-www-form-urlencoded` body of POST /oauth/token. */
export class OAuthTokenRequestDto extends OAuthClientCredentialsDto {
  /** `client_credentials` opens a session; `refresh_token` rotates one. */
  @ApiProperty({
    example: 'client_credentials',
    description: 'client_credentials or refresh_token',
  })
  @IsString()
  @Length(1, 64)
  grant_type: string;

  /** Required for `grant_type=refresh_token`. */
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 512)
  refresh_token?: string;

  /**
   * `client_credentials`: space-separated scopes narrowing the API key's (RFC 6749 §3.3); one the
   * key does not carry is `invalid_scope`. `refresh_token`: ignored, a session keeps its scopes.
   */
  @ApiPropertyOptional({ example: 'reports:read' })
  @IsOptional()
  @IsString()
  @Length(0, 1024)
  scope?: string;

  /**
   * `client_credentials`: the resource server the access token is for (RFC 8707), its `aud`;
   * one of the server's allowed resources, or `invalid_target`. Once per request. Absent: the
   * default audience. `refresh_token`: ignored, a session keeps its audience.
   */
  @ApiPropertyOptional({ example: 'https://reports.example.com' })
  @IsOptional()
  @IsString()
  @Length(0, 2048)
  resource?: string;
}

export const SUPPORTED_GRANT_TYPES: readonly string[] = GRANT_TYPES;

/** `application/x-www-form-urlencoded` body of POST /oauth/revoke and POST /oauth/introspect. */
export class OAuthTokenParamDto extends OAuthClientCredentialsDto {
  /** The token to revoke or introspect: an access token or a refresh token. */
  @ApiProperty()
  @IsString()
  @Length(1, 8192)
  token: string;

  @ApiPropertyOptional({ enum: ['access_token', 'refresh_token'] })
  @IsOptional()
  @IsIn(['access_token', 'refresh_token'])
  token_type_hint?: string;
}

export class OAuthTokenResponseDto {
  access_token: string;

  @ApiProperty({ enum: ['Bearer'] })
  token_type: 'Bearer';

  /** @example 300 */
  expires_in: number;

  /** Single use; rotated by grant_type=refresh_token. */
  refresh_token: string;

  /** The granted scopes, space-separated, when the token carries any. @example reports:read */
  scope?: string;
}

export class OAuthErrorDto {
  /** RFC 6749 §5.2 code. */
  @ApiProperty({
    enum: [
      'invalid_request',
      'invalid_client',
      'invalid_grant',
      'unsupported_grant_type',
      'invalid_scope',
      'invalid_target',
      'rate_limited',
      'server_error',
    ],
  })
  error: string;

  error_description?: string;
}

/** RFC 7662 introspection response. */
export class IntrospectionDto {
  active: boolean;
  sub?: string;
  sid?: string;
  client_id?: string;
  exp?: number;
  iat?: number;
  @ApiPropertyOptional({ enum: ['Bearer', 'refresh_token'] })
  token_type?: 'Bearer' | 'refresh_token';
  iss?: string;
  aud?: string;
  /** The token's scopes, space-separated, when it has any. @example reports:read */
  scope?: string;
}

export class AuthorizationServerMetadataDto {
  issuer: string;
  token_endpoint: string;
  jwks_uri: string;
  revocation_endpoint: string;
  introspection_endpoint: string;
  grant_types_supported: string[];
  token_endpoint_auth_methods_supported: string[];
  revocation_endpoint_auth_methods_supported: string[];
  introspection_endpoint_auth_methods_supported: string[];
  response_types_supported: string[];
}
