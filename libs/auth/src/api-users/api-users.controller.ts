import { AuthController } from '../common/auth-controller.decorator';
import { Body, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { toAuditEventDto } from '../audit/audit.mapper';
import { AuditService } from '../audit/audit.service';
import { AuditEventDto } from '../audit/dto/audit-event.dto';
import { ApiErrors } from '../common/api-errors.decorator';
import { ClientIp } from '../common/client-ip';
import { toIso } from '../common/clock';
import { Authenticated, CurrentPrincipal, Public } from '../common/decorators';
import { DomainError } from '../common/domain-error';
import { JsonBody } from '../common/json-body';
import { NoStore } from '../common/no-store.decorator';
import { type Page, PageOf, PageQuery, toPage, toPageRequest } from '../common/pagination';
import { ParsePublicIdPipe, ParseUuidIdPipe } from '../common/path-params';
import { canActOn, type Principal } from '../common/principal';
import { toApiKeyDto, toApiUserDto } from './api-users.mapper';
import { ApiKeysService } from './api-keys.service';
import { ApiUsersService } from './api-users.service';
import { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto, RotateApiKeyDto } from './dto/api-key.dto';

/** How long a rotated key keeps working by default: a day. */
const DEFAULT_ROTATION_OVERLAP_SECONDS = 86_400;
import {
  ApiUserDto,
  CreateApiUserDto,
  CreatedApiUserDto,
  RegistrationTokenDto,
  UpdateApiUserDto,
} from './dto/api-user.dto';
import { RegisterDto, RegistrationDto } from './dto/registration.dto';

const ApiUserPage = PageOf(ApiUserDto, 'ApiUserPage');
const ApiKeyPage = PageOf(ApiKeyDto, 'ApiKeyPage');
const AuditEventPage = PageOf(AuditEventDto, 'AuditEventPage');

/** Admins act on anyone; an operator only on itself. Others' ids are reported as forbidden. */
function assertCanActOn(principal: Principal, apiUserId: string): void {
  if (!canActOn(principal, apiUserId)) throw new DomainError('forbidden');
}

@ApiTags('API users')
@AuthController('api-users')
export class ApiUsersController {
  constructor(
    private readonly users: ApiUsersService,
    private readonly keys: ApiKeysService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @Authenticated({ roles: ['admin'] })
  @ApiOperation({ summary: 'List API users' })
  @ApiResponse({ status: 200, type: ApiUserPage })
  @ApiErrors(400)
  async list(@Query() query: PageQuery): Promise<Page<ApiUserDto>> {
    const page = toPageRequest(query);
    const [users, count] = await this.users.findPage(page);
    return toPage(page, users.map(toApiUserDto), count);
  }

  @Post()
  @Authenticated({ roles: ['admin'] })
  @JsonBody()
  @NoStore()
  @ApiOperation({
    summary: 'Create an API user',
    description:
      'The user is `pending` until it registers with the returned one-time `registration_token`, ' +
      'which expires after REGISTRATION_TOKEN_TTL_SECONDS (72 h by default).',
  })
  @ApiResponse({ status: 201, type: CreatedApiUserDto })
  @ApiErrors(409)
  async create(
    @Body() body: CreateApiUserDto,
    @CurrentPrincipal() principal: Principal,
    @ClientIp() ip: string | null,
  ): Promise<CreatedApiUserDto> {
    const { user, registrationToken, expiresAt } = await this.users.create(
      body.name,
      body.role,
      principal,
      ip,
    );
    return {
      ...toApiUserDto(user),
      registration_token: registrationToken,
      registration_token_expires_at: toIso(expiresAt) as string,
    };
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({ summary: 'Get the calling API user' })
  @ApiResponse({ status: 200, type: ApiUserDto })
  @ApiErrors(404)
  async me(@CurrentPrincipal() principal: Principal): Promise<ApiUserDto> {
    return toApiUserDto(await this.users.get(principal.apiUserId));
  }

  @Post('register')
  @Public()
  @HttpCode(201)
  @JsonBody()
  @NoStore()
  @ApiOperation({
    summary: 'Register an API user',
    description:
      'Spends the one-time registration token: the user becomes `active` and receives its first API key, whose secret is shown only here.',
  })
  @ApiResponse({ status: 201, type: RegistrationDto })
  @ApiErrors([
    401,
    'The registration token is unknown, replaced or already spent (`invalid_registration_token`), or expired (`registration_token_expired`).',
  ])
  async register(
    @Body() body: RegisterDto,
    @ClientIp() ip: string | null,
  ): Promise<RegistrationDto> {
    const { user, apiKey } = await this.users.register(body.registration_token, ip);
    return { api_user_id: user.id, api_key_id: apiKey.key.id, api_key_secret: apiKey.secret };
  }

  @Post(':id/registration-token')
  @Authenticated({ roles: ['admin'] })
  @NoStore()
  @ApiOperation({
    summary: 'Issue a new registration token',
    description:
      'For a `pending` API user: a new one-time registration token replaces the previous one, which stops working. ' +
      'A user that is not pending has none (409 `conflict`).',
  })
  @ApiResponse({ status: 201, type: RegistrationTokenDto })
  @ApiErrors(404, [409, 'The API user is not pending (`conflict`).'])
  async reissueRegistrationToken(
    @Param('id', new ParseUuidIdPipe()) id: string,
    @CurrentPrincipal() principal: Principal,
    @ClientIp() ip: string | null,
  ): Promise<RegistrationTokenDto> {
    const { registrationToken, expiresAt } = await this.users.reissueRegistrationToken(
      id,
      principal,
      ip,
    );
    return { registration_token: registrationToken, expires_at: toIso(expiresAt) as string };
  }

  @Get(':id')
  @Authenticated()
  @ApiOperation({
    summary: 'Get an API user',
    description: 'Admins may read anyone; an operator only itself.',
  })
  @ApiResponse({ status: 200, type: ApiUserDto })
  @ApiErrors(403, 404)
  async get(
    @Param('id', new ParseUuidIdPipe()) id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ApiUserDto> {
    assertCanActOn(principal, id);
    return toApiUserDto(await this.users.get(id));
  }

  @Patch(':id')
  @Authenticated({ roles: ['admin'] })
  @JsonBody()
  @ApiOperation({
    summary: 'Suspend or reactivate an API user',
    description: 'Suspending revokes every session of the user.',
  })
  @ApiResponse({ status: 200, type: ApiUserDto })
  @ApiErrors(404)
  async update(
    @Param('id', new ParseUuidIdPipe()) id: string,
    @Body() body: UpdateApiUserDto,
    @CurrentPrincipal() principal: Principal,
    @ClientIp() ip: string | null,
  ): Promise<ApiUserDto> {
    return toApiUserDto(await this.users.setStatus(id, body.status, principal, ip));
  }

  @Post(':id/api-keys')
  @Authenticated()
  @NoStore()
  @ApiOperation({
    summary: 'Create an API key',
    description: 'The secret is shown only in this response.',
  })
  @JsonBody()
  @ApiBody({ type: CreateApiKeyDto, required: false })
  @ApiResponse({ status: 201, type: CreatedApiKeyDto })
  @ApiErrors(403, 404)
  async createKey(
    @Param('id', new ParseUuidIdPipe()) id: string,
    @Body() body: CreateApiKeyDto,
    @CurrentPrincipal() principal: Principal,
    @ClientIp() ip: string | null,
  ): Promise<CreatedApiKeyDto> {
    assertCanActOn(principal, id);
    await this.users.get(id);
    const { key, secret } = await this.keys.create(id, ip, body);
    return { ...toApiKeyDto(key), api_key_secret: secret };
  }

  @Get(':id/api-keys')
  @Authenticated()
  @ApiOperation({
    summary: 'List the API keys of an API user',
    description: 'Secrets are never returned.',
  })
  @ApiResponse({ status: 200, type: ApiKeyPage })
  @ApiErrors(400, 403, 404)
  async listKeys(
    @Param('id', new ParseUuidIdPipe()) id: string,
    @Query() query: PageQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Page<ApiKeyDto>> {
    assertCanActOn(principal, id);
    await this.users.get(id);
    const page = toPageRequest(query);
    const [keys, count] = await this.keys.findPage(id, page);
    return toPage(page, keys.map(toApiKeyDto), count);
  }

  @Delete(':id/api-keys/:api_key_id')
  @Authenticated()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Revoke an API key',
    description: 'The key stops working and the sessions opened with it are revoked.',
  })
  @ApiResponse({ status: 204, description: 'Revoked (also when it already was).' })
  @ApiErrors(403, 404)
  async revokeKey(
    @Param('id', new ParseUuidIdPipe()) id: string,
    @Param('api_key_id', new ParsePublicIdPipe('api_key_id')) apiKeyId: string,
    @CurrentPrincipal() principal: Principal,
    @ClientIp() ip: string | null,
  ): Promise<void> {
    assertCanActOn(principal, id);
    await this.keys.revoke(id, apiKeyId, ip);
  }

  @Post(':id/api-keys/:api_key_id/rotate')
  @Authenticated()
  @NoStore()
  @JsonBody()
  @ApiOperation({
    summary: 'Rotate an API key',
    description:
      'Creates a new key with the same name, scopes and allow-list (its secret is shown only in this response); ' +
      'the old key keeps working for `overlap_seconds` (default a day, at most 30 days), then expires like any key.',
  })
  @ApiBody({ type: RotateApiKeyDto, required: false })
  @ApiResponse({ status: 201, type: CreatedApiKeyDto })
  @ApiErrors(403, 404, [409, 'The key is revoked or expired (`conflict`).'])
  async rotateKey(
    @Param('id', new ParseUuidIdPipe()) id: string,
    @Param('api_key_id', new ParsePublicIdPipe('api_key_id')) apiKeyId: string,
    @Body() body: RotateApiKeyDto,
    @CurrentPrincipal() principal: Principal,
    @ClientIp() ip: string | null,
  ): Promise<CreatedApiKeyDto> {
    assertCanActOn(principal, id);
    const { key, secret } = await this.keys.rotate(
      id,
      apiKeyId,
      body.overlap_seconds ?? DEFAULT_ROTATION_OVERLAP_SECONDS,
      ip,
    );
    return { ...toApiKeyDto(key), api_key_secret: secret };
  }

  @Get(':id/history')
  @Authenticated()
  @ApiOperation({ summary: 'Audit history of an API user', description: 'Newest first.' })
  @ApiResponse({ status: 200, type: AuditEventPage })
  @ApiErrors(400, 403, 404)
  async history(
    @Param('id', new ParseUuidIdPipe()) id: string,
    @Query() query: PageQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Page<AuditEventDto>> {
    assertCanActOn(principal, id);
    await this.users.get(id);
    const page = toPageRequest(query);
    const [events, count] = await this.audit.findPageOfUser(id, page);
    return toPage(page, events.map(toAuditEventDto), count);
  }
}
