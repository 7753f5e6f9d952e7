import { Injectable } from '@nestjs/common';
import { Command, Option, SubCommand } from 'nest-commander';
import { toApiUserDto } from '../../libs/auth/src/api-users/api-users.mapper';
import { ApiUsersService } from '../../libs/auth/src/api-users/api-users.service';
import type { ApiUserEntity } from '../../libs/auth/src/api-users/api-user.entity';
import { toIso } from '../../libs/auth/src/common/clock';
import { MAX_PAGE_SIZE } from '../../libs/auth/src/common/pagination';
import { ROLES, type Role } from '../../libs/auth/src/common/principal';
import { nameArg } from './bootstrap-admin.command';
import { apiUserIdArg, CLI_ACTOR } from './cli-actor';
import { CliUsageError, GroupCommand, OutputCommand, table, type JsonOption } from './cli-output';

interface CreateOptions extends JsonOption {
  name?: string;
  role?: string;
}

/** `api-users create --name N --role admin|operator`: a pending user and its registration token. */
@SubCommand({
  name: 'create',
  description: 'create a pending API user; prints its one-time registration token',
})
export class ApiUsersCreateCommand extends OutputCommand<CreateOptions> {
  constructor(private readonly users: ApiUsersService) {
    super();
  }

  @Option({ flags: '--name <name>', description: 'unique name', required: true })
  parseName(value: string): string {
    return value;
  }

  @Option({ flags: '--role <role>', description: `one of ${ROLES.join(', ')}`, required: true })
  parseRole(value: string): string {
    return value;
  }

  async run(_args: string[], options: CreateOptions): Promise<void> {
    const name = nameArg(options.name ?? '');
    const role = options.role as Role;
    if (!ROLES.includes(role)) throw new CliUsageError(`--role must be one of ${ROLES.join(', ')}`);
    const { user, registrationToken, expiresAt } = await this.users.create(
      name,
      role,
      CLI_ACTOR,
      null,
    );
    this.print(
      options,
      {
        ...toApiUserDto(user),
        registration_token: registrationToken,
        registration_token_expires_at: toIso(expiresAt),
      },
      [
        `Created the ${role} "${user.name}" (${user.id}), pending registration.`,
        `Registration token: ${registrationToken}`,
        `It works once, until ${toIso(expiresAt)}: POST /api-users/register with it.`,
      ],
    );
  }
}

/** `api-users list`: every API user, oldest first. */
@SubCommand({ name: 'list', description: 'list every API user' })
export class ApiUsersListCommand extends OutputCommand {
  constructor(private readonly users: ApiUsersService) {
    super();
  }

  async run(_args: string[], options: JsonOption): Promise<void> {
    const all: ApiUserEntity[] = [];
    for (let page = 1; ; page += 1) {
      const request = { page, pageSize: MAX_PAGE_SIZE, offset: (page - 1) * MAX_PAGE_SIZE };
      const [users, count] = await this.users.findPage(request);
      all.push(...users);
      if (users.length === 0 || all.length >= count) break;
    }
    const dtos = all.map(toApiUserDto);
    this.print(
      options,
      { api_users: dtos },
      dtos.length === 0
        ? 'No API users.'
        : table([
            ['ID', 'NAME', 'ROLE', 'STATUS', 'CREATED'],
            ...dtos.map((user) => [user.id, user.name, user.role, user.status, user.created_at]),
          ]),
    );
  }
}

@Injectable()
abstract class SetStatusCommand extends OutputCommand {
  protected abstract readonly status: 'active' | 'suspended';

  constructor(private readonly users: ApiUsersService) {
    super();
  }

  async run([id]: string[], options: JsonOption): Promise<void> {
    const user = await this.users.setStatus(apiUserIdArg(id), this.status, CLI_ACTOR, null);
    this.print(
      options,
      toApiUserDto(user),
      `API user ${user.id} (${user.name}) is ${user.status}.`,
    );
  }
}

/** `api-users suspend <id>`: the user's sessions end and its keys stop working. */
@SubCommand({
  name: 'suspend',
  arguments: '<api-user-id>',
  description: 'suspend an API user: its sessions end, its keys open no new ones',
})
export class ApiUsersSuspendCommand extends SetStatusCommand {
  protected readonly status = 'suspended';
}

/** `api-users activate <id>`: a suspended user becomes active again. */
@SubCommand({
  name: 'activate',
  arguments: '<api-user-id>',
  description: 'reactivate a suspended API user',
})
export class ApiUsersActivateCommand extends SetStatusCommand {
  protected readonly status = 'active';
}

@Command({
  name: 'api-users',
  description: 'manage API users: create, list, suspend, activate',
  subCommands: [
    ApiUsersCreateCommand,
    ApiUsersListCommand,
    ApiUsersSuspendCommand,
    ApiUsersActivateCommand,
  ],
})
export class ApiUsersCommand extends GroupCommand {
  protected readonly commands = ['create', 'list', 'suspend', 'activate'];
}

export const ApiUsersCommands = [
  ApiUsersCommand,
  ApiUsersCreateCommand,
  ApiUsersListCommand,
  ApiUsersSuspendCommand,
  ApiUsersActivateCommand,
];
