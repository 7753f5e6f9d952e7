import { Command, Option, SubCommand } from 'nest-commander';
import type { ApiKeyEntity } from '../../libs/auth/src/api-users/api-key.entity';
import { ApiKeysService } from '../../libs/auth/src/api-users/api-keys.service';
import { toApiKeyDto } from '../../libs/auth/src/api-users/api-users.mapper';
import { ApiUsersService } from '../../libs/auth/src/api-users/api-users.service';
import { CreateApiKeyDto } from '../../libs/auth/src/api-users/dto/api-key.dto';
import { toIso } from '../../libs/auth/src/common/clock';
import { createValidationPipe } from '../../libs/auth/src/common/validation';
import { MAX_PAGE_SIZE } from '../../libs/auth/src/common/pagination';
import { apiUserIdArg, publicIdArg } from './cli-actor';
import { GroupCommand, OutputCommand, table, type JsonOption } from './cli-output';

interface ApiUserOption extends JsonOption {
  apiUser?: string;
}

interface CreateOptions extends ApiUserOption {
  name?: string;
  scopes?: string[];
  expiresAt?: string;
  allowedCidrs?: string[];
}

/** A comma list, as `--scopes a,b` and `--allowed-cidrs x,y` take. */
const commaList = (value: string): string[] => value.split(',').map((item) => item.trim());

/**
 * The restrictions given on the command line as the body POST /api-users/{id}/api-keys would
 * carry, checked by the same pipe (one detail per bad field); undefined when none is given.
 */
async function restrictionsBody(options: CreateOptions): Promise<CreateApiKeyDto | undefined> {
  const body = {
    ...(options.name !== undefined && { name: options.name }),
    ...(options.scopes !== undefined && { scopes: options.scopes }),
    ...(options.expiresAt !== undefined && { expires_at: options.expiresAt }),
    ...(options.allowedCidrs !== undefined && { allowed_cidrs: options.allowedCidrs }),
  };
  if (Object.keys(body).length === 0) return undefined;
  return (await createValidationPipe().transform(body, {
    type: 'body',
    metatype: CreateApiKeyDto,
  })) as CreateApiKeyDto;
}

/**
 * `api-keys create --api-user <id> [--name n] [--scopes a,b] [--expires-at iso]
 * [--allowed-cidrs x,y]`: a new key, restricted as given; its secret is printed this once.
 */
@SubCommand({
  name: 'create',
  description: 'create an API key for an API user; prints its secret once',
})
export class ApiKeysCreateCommand extends OutputCommand<CreateOptions> {
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

  @Option({ flags: '--name <name>', description: 'a label for people' })
  parseName(value: string): string {
    return value;
  }

  @Option({ flags: '--scopes <list>', description: 'comma-separated scopes the key may grant' })
  parseScopes(value: string): string[] {
    return commaList(value);
  }

  @Option({ flags: '--expires-at <iso>', description: 'when the key stops working (ISO 8601)' })
  parseExpiresAt(value: string): string {
    return value;
  }

  @Option({
    flags: '--allowed-cidrs <list>',
    description: 'comma-separated IPv4/IPv6 CIDRs the key may be used from',
  })
  parseAllowedCidrs(value: string): string[] {
    return commaList(value);
  }

  async run(_args: string[], options: CreateOptions): Promise<void> {
    const body = await restrictionsBody(options);
    const user = await this.users.get(apiUserIdArg(options.apiUser));
    const { key, secret } = await this.keys.create(user.id, null, body);
    this.print(options, { api_user_id: user.id, ...toApiKeyDto(key), api_key_secret: secret }, [
      `Created an API key for "${user.name}" (${user.id}).`,
      `API key id:     ${key.id}`,
      ...(key.name !== null ? [`Name:           ${key.name}`] : []),
      ...(key.scopes !== null ? [`Scopes:         ${key.scopes}`] : []),
      ...(key.expiresAt !== null ? [`Expires at:     ${toIso(key.expiresAt)}`] : []),
      ...(key.allowedCidrs !== null ? [`Allowed from:   ${key.allowedCidrs}`] : []),
      `API key secret: ${secret}`,
      'The secret is shown only this once: keep it now.',
    ]);
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
            ['API KEY ID', 'NAME', 'CREATED', 'EXPIRES', 'REVOKED'],
            ...dtos.map((key) => [
              key.api_key_id,
              key.name ?? '-',
              key.created_at,
              key.expires_at ?? '-',
              key.revoked_at ?? '-',
            ]),
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
