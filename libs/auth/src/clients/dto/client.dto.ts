import { IsString, Length, Matches } from 'class-validator';
import { NAME_PATTERN, NAME_RULE } from '../../common/validation';

export class CreateClientDto {
  /**
   * Unique name of the client application (same rules as API user names).
   * @example wallet-frontend
   */
  @IsString()
  @Length(1, 64)
  @Matches(NAME_PATTERN, { message: `name ${NAME_RULE}` })
  name: string;
}

export class ClientDto {
  /** @example Yk3bL0sV9q2xNw7eR5tUaQ */
  client_id: string;

  /** @example wallet-frontend */
  name: string;

  /** @example 2026-11-22T12:00:00.000Z */
  created_at: string;
}

export class CreatedClientDto extends ClientDto {
  /** The `x-client-secret` of the wallet-refresh profile's endpoints. Shown only in this response. */
  client_secret: string;
}
