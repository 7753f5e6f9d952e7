import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Length, Matches } from 'class-validator';
import { NAME_PATTERN, NAME_RULE } from '../../common/validation';
import { ROLES, type Role } from '../../common/principal';
import { API_USER_STATUSES, type ApiUserStatus } from '../api-user.entity';

export class ApiUserDto {
  /** @example 019a8f2e-5c1d-7a3b-9c4d-2e8f6a1b3c5d */
  id: string;

  /** @example reporting-bot */
  name: string;

  @ApiProperty({ enum: ROLES, example: 'operator' })
  role: Role;

  /** `pending` until registered, then `active`; `suspended` blocks every token. */
  @ApiProperty({ enum: API_USER_STATUSES, example: 'active' })
  status: ApiUserStatus;

  /** @example 2026-11-22T12:00:00.000Z */
  created_at: string;

  /** @example 2026-11-22T12:00:00.000Z */
  updated_at: string;
}

export class CreatedApiUserDto extends ApiUserDto {
  /** One-time token for POST /api-users/register. Shown only in this response. */
  registration_token: string;

  /**
   * When the registration token stops working (REGISTRATION_TOKEN_TTL_SECONDS after issue).
   * @example 2026-11-25T12:00:00.000Z
   */
  registration_token_expires_at: string;
}

export class RegistrationTokenDto {
  /** One-time token for POST /api-users/register; the previous one no longer works. Shown only in this response. */
  registration_token: string;

  /**
   * When this registration token stops working.
   * @example 2026-11-25T12:00:00.000Z
   */
  expires_at: string;
}

export class CreateApiUserDto {
  /**
   * Unique name, 1 to 64 characters: letters, digits, spaces and `. _ - @`.
   * @example reporting-bot
   */
  @IsString()
  @Length(1, 64)
  @Matches(NAME_PATTERN, { message: `name ${NAME_RULE}` })
  name: string;

  @ApiProperty({ enum: ROLES, example: 'operator' })
  @IsIn(ROLES)
  role: Role;
}

const SETTABLE_STATUSES = ['active', 'suspended'] as const;

export class UpdateApiUserDto {
  /** `suspended` revokes every session of the user; `active` reactivates a suspended user. */
  @ApiProperty({ enum: SETTABLE_STATUSES, example: 'suspended' })
  @IsIn(SETTABLE_STATUSES)
  status: (typeof SETTABLE_STATUSES)[number];
}
