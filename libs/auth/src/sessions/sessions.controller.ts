import { AuthController } from '../common/auth-controller.decorator';
import { Delete, Get, HttpCode, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-errors.decorator';
import { ClientIp } from '../common/client-ip';
import { toIso } from '../common/clock';
import { Authenticated, CurrentPrincipal } from '../common/decorators';
import { DomainError } from '../common/domain-error';
import { type Page, PageOf, toPage, toPageRequest } from '../common/pagination';
import { ParseUuidIdPipe } from '../common/path-params';
import { canActOn, type Principal } from '../common/principal';
import { SessionDto, SessionsQuery } from './dto/session.dto';
import type { SessionEntity } from './session.entity';
import { SessionsService } from './sessions.service';

const SessionPage = PageOf(SessionDto, 'SessionPage');

function toSessionDto(session: SessionEntity): SessionDto {
  return {
    id: session.id,
    api_user_id: session.apiUserId,
    api_key_id: session.apiKeyId,
    created_at: toIso(session.createdAt) as string,
    expires_at: toIso(session.expiresAt) as string,
    ip: session.ip,
  };
}

@ApiTags('Sessions')
@AuthController('sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get()
  @Authenticated()
  @ApiOperation({
    summary: 'List active sessions',
    description: "The caller's own; an admin may pass `api_user_id` to list another user's.",
  })
  @ApiResponse({ status: 200, type: SessionPage })
  @ApiErrors(400, [403, 'Only admins may list the sessions of another API user (`forbidden`).'])
  async list(
    @Query() query: SessionsQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Page<SessionDto>> {
    const apiUserId = query.api_user_id ?? principal.apiUserId;
    if (!canActOn(principal, apiUserId)) throw new DomainError('forbidden');
    const page = toPageRequest(query);
    const [sessions, count] = await this.sessions.findActivePageOfUser(apiUserId, page);
    return toPage(page, sessions.map(toSessionDto), count);
  }

  @Delete(':id')
  @Authenticated()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Revoke a session',
    description:
      'Its refresh tokens and access tokens stop working. Revoking a revoked session again answers 204.',
  })
  @ApiResponse({ status: 204, description: 'Revoked.' })
  @ApiErrors([
    404,
    'No such session, or one of another API user and the caller is not an admin (`not_found`).',
  ])
  async revoke(
    @Param('id', new ParseUuidIdPipe()) id: string,
    @CurrentPrincipal() principal: Principal,
    @ClientIp() ip: string | null,
  ): Promise<void> {
    await this.sessions.revoke(id, principal, 'revoked', ip);
  }
}
