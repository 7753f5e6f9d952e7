import { Command, Option, SubCommand } from 'nest-commander';
import type { ApiKeyEntity } from '../../libs/auth/src/api-users/api-key.entity';
import { ApiKeysService } from '../../libs/auth/src/api-users/api-keys.service';
import { toApiKeyDto } from '../../libs/auth/src/api-users/api-users.mapper';
import { ApiUsersService } from '../../libs/auth/src/api-users/api-users.service';
import { toIso } from '../../libs/auth/src/common/clock';
import { MAX_PAGE_SIZE } from '../../libs/auth/src/common/pagination';
import { apiUserIdArg, publicIdArg } from './cli-actor';
import { GroupCommand, OutputCommand, table, type JsonOption } from './cli-output';

interface ApiUserOption extends JsonOption {
  apiUser?: string;
}

/** `api-keys create --api-user <id>`: a new key; its secret is printed this once. */
@SubCommand({
  name: 'create',
  description: 'create an API key for an API user; prints its secret once',
})
export class ApiKeysCreateCommand extends OutputCommand<ApiUserOption> {
  constructor(
    private readonly users: ApiUsersService,
    private readonly keys: ApiKeysService,
  ) {
    super();
  }

  @Option({ flags: '--api-user <id>', description: 'the API user', required: true })
  parseApiUser(value: string): string {
    return value;
  }

  async run(_args: string[], options: ApiUserOption): Promise<void> {
    const user = await this.users.get(apiUserIdArg(options.apiUser));
    const { key, secret } = await this.keys.create(user.id, null);
    this.print(
      options,
      {
        api_user_id: user.id,
        api_key_id: key.id,
        api_key_secret: secret,
        created_at: toIso(key.createdAt),
      },
      [
        `Created an API key for "${user.name}" (${user.id}).`,
        `API key id:     ${key.id}`,
        `API key secret: ${secret}`,
        'The secret is shown only this once: keep it now.',
      ],
    );
  }
}

/** `api-keys list --api-user <id>`: the user's keys, revoked ones included, oldest first. */
@SubCommand({ name: 'list', description: "list an API user's keys (never their secrets)" })
export class ApiKeysListCommand extends OutputCommand<ApiUserOption> {
  constructor(
    private readonly users: ApiUsersService,
    private readonly keys: ApiKeysService,
  ) {
    super();
  }

  @Option({ flags: '--api-user <id>', description: 'the API user', required: true })
  parseApiUser(value: string): string {
    return value;
  }

  async run(_args: string[], options: ApiUserOption): Promise<void> {
    const user = await this.users.get(apiUserIdArg(options.apiUser));
    const all: ApiKeyEntity[] = [];
    for (let page = 1; ; page += 1) {
      const request = { page, pageSize: MAX_PAGE_SIZE, offset: (page - 1) * MAX_PAGE_SIZE };
      const [keys, count] = await this.keys.findPage(user.id, request);
      all.push(...keys);
      if (keys.length === 0 || all.length >= count) break;
    }
    const dtos = all.map(toApiKeyDto);
    this.print(
      options,
      { api_user_id: user.id, api_keys: dtos },
      dtos.length === 0
        ? `"${user.name}" has no API keys.`
        : table([
            ['API KEY ID', 'CREATED', 'REVOKED'],
            ...dtos.map((key) => [key.api_key_id, key.created_at, key.revoked_at ?? '-']),
          ]),
    );
  }
}

/** `api-keys revoke <api-key-id>`: the key stops working and the sessions it opened end. */
@SubCommand({
  name: 'revoke',
  arguments: '<api-key-id>',
  description: 'revoke an API key and end the sessions it opened',
})
export class ApiKeysRevokeCommand extends OutputCommand {
  constructor(private readonly keys: ApiKeysService) {
    super();
  }

  async run([id]: string[], options: JsonOption): Promise<void> {
    const apiKeyId = publicIdArg(id, 'API key', 'api_key_id');
    const apiUserId = await this.keys.revokeById(apiKeyId, null);
    this.print(
      options,
      { api_key_id: apiKeyId, api_user_id: apiUserId, revoked: true },
      `API key ${apiKeyId} is revoked; the sessions it opened are ended.`,
    );
  }
}

@Command({
  name: 'api-keys',
  description: 'manage API keys: create, list, revoke',
  subCommands: [ApiKeysCreateCommand, ApiKeysListCommand, ApiKeysRevokeCommand],
})
export class ApiKeysCommand extends GroupCommand {
  protected readonly commands = ['create', 'list', 'revoke'];
}

export const ApiKeysCommands = [
  ApiKeysCommand,
  ApiKeysCreateCommand,
  ApiKeysListCommand,
  ApiKeysRevokeCommand,
];
