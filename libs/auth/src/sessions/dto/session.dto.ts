import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { UUID_PATTERN } from '../../common/ids';
import { PageQuery } from '../../common/pagination';

export class SessionDto {
  /** Also the `session_state` of token responses and the `sid` claim. */
  id: string;

  api_user_id: string;

  /** The API key that opened the session. */
  api_key_id: string;

  /** @example 2026-11-22T12:00:00.000Z */
  created_at: string;

  /** The absolute end of the session, however often it is refreshed. */
  expires_at: string;

  /** Client IP address that opened the session. */
  ip: string | null;
}

export class SessionsQuery extends PageQuery {
  @ApiPropertyOptional({
    description: "Admins only: list this API user's sessions instead of their own.",
  })
  @IsOptional()
  @Matches(UUID_PATTERN, { message: 'api_user_id must be a UUID' })
  api_user_id?: string;
}
