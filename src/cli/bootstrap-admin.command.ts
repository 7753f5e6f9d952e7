import { Command, Option } from 'nest-commander';
import { toApiUserDto } from '../../libs/auth/src/api-users/api-users.mapper';
import { BootstrapAdminService } from '../../libs/auth/src/api-users/bootstrap-admin.service';
import { NAME_PATTERN, NAME_RULE } from '../../libs/auth/src/common/validation';
import { CliUsageError, OutputCommand } from './cli-output';

interface BootstrapAdminOptions {
  json?: boolean;
  name: string;
  another?: boolean;
}

export const DEFAULT_ADMIN_NAME = 'admin';

/** An API user's name as the HTTP API takes it. */
export function nameArg(value: string): string {
  if (value.length < 1 || value.length > 64 || !NAME_PATTERN.test(value)) {
    throw new CliUsageError(`--name must be 1 to 64 characters and ${NAME_RULE}`);
  }
  return value;
}

/**
 * Creates the first admin with a generated API key, and prints the key's id and secret once.
 * Refused when an admin exists already, unless `--another` (another admin, another name).
 */
@Command({
  name: 'bootstrap-admin',
  description:
    'create the first admin and print its API key id and secret (shown once); refused if an admin exists, unless --another',
})
export class BootstrapAdminCommand extends OutputCommand<BootstrapAdminOptions> {
  constructor(private readonly bootstrap: BootstrapAdminService) {
    super();
  }

  @Option({
    flags: '--name <name>',
    description: 'name of the admin',
    defaultValue: DEFAULT_ADMIN_NAME,
  })
  parseName(value: string): string {
    return value;
  }

  @Option({ flags: '--another', description: 'create an admin even if one exists already' })
  parseAnother(): boolean {
    return true;
  }

  async run(_args: string[], options: BootstrapAdminOptions): Promise<void> {
    const name = nameArg(options.name);
    const { admin, apiKey } = await this.bootstrap.createAdmin(name, {
      evenIfAdminExists: options.another === true,
    });
    this.print(
      options,
      {
        api_user: toApiUserDto(admin),
        api_key_id: apiKey.key.id,
        api_key_secret: apiKey.secret,
      },
      [
        `Created the admin "${admin.name}" (${admin.id}).`,
        `API key id:     ${apiKey.key.id}`,
        `API key secret: ${apiKey.secret}`,
        'The secret is shown only this once: keep it now. Exchange the pair for tokens at POST /auth/token.',
      ],
    );
  }
}
