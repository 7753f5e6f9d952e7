import { Command, Option, SubCommand } from 'nest-commander';
import { ApiUsersService } from '../../libs/auth/src/api-users/api-users.service';
import { SessionsService } from '../../libs/auth/src/sessions/sessions.service';
import { apiUserIdArg } from './cli-actor';
import { GroupCommand, OutputCommand, type JsonOption } from './cli-output';

interface RevokeOptions extends JsonOption {
  apiUser?: string;
}

/** `sessions revoke --api-user <id>`: every live session of the user ends (reason `revoked`). */
@SubCommand({ name: 'revoke', description: 'end every live session of an API user' })
export class SessionsRevokeCommand extends OutputCommand<RevokeOptions> {
  constructor(
    private readonly users: ApiUsersService,
    private readonly sessions: SessionsService,
  ) {
    super();
  }

  @Option({ flags: '--api-user <id>', description: 'the API user', required: true })
  parseApiUser(value: string): string {
    return value;
  }

  async run(_args: string[], options: RevokeOptions): Promise<void> {
    const user = await this.users.get(apiUserIdArg(options.apiUser));
    const revoked = await this.sessions.revokeEveryOfUser(user.id, null);
    this.print(
      options,
      { api_user_id: user.id, sessions_revoked: revoked },
      `Revoked ${revoked} session(s) of "${user.name}" (${user.id}).`,
    );
  }
}

@Command({
  name: 'sessions',
  description: 'manage sessions: revoke',
  subCommands: [SessionsRevokeCommand],
})
export class SessionsCommand extends GroupCommand {
  protected readonly commands = ['revoke'];
}

export const SessionsCommands = [SessionsCommand, SessionsRevokeCommand];
