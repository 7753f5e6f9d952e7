import { Command, SubCommand } from 'nest-commander';
import { toSigningKeyDto } from '../../libs/auth/src/keys/keys.controller';
import { SigningKeyLifecycleService } from '../../libs/auth/src/keys/signing-key-lifecycle.service';
import { publicIdArg } from './cli-actor';
import { GroupCommand, OutputCommand, table, type JsonOption } from './cli-output';

/** `keys list`: every signing key with its status and dates, newest first (no key material). */
@SubCommand({ name: 'list', description: 'list the signing keys (never their material)' })
export class KeysListCommand extends OutputCommand {
  constructor(private readonly lifecycle: SigningKeyLifecycleService) {
    super();
  }

  async run(_args: string[], options: JsonOption): Promise<void> {
    const keys = (await this.lifecycle.list()).map(toSigningKeyDto);
    this.print(
      options,
      { keys },
      table([
        ['KID', 'ALG', 'STATUS', 'CREATED', 'ACTIVATED', 'RETIRED', 'REVOKED'],
        ...keys.map((key) => [
          key.kid,
          key.alg,
          key.status,
          key.created_at,
          key.activated_at ?? '-',
          key.retired_at ?? '-',
          key.revoked_at ?? '-',
        ]),
      ]),
    );
  }
}

/** `keys rotate`: the next key signs from now on (running servers pick it up within a reload). */
@SubCommand({ name: 'rotate', description: 'rotate the signing key now' })
export class KeysRotateCommand extends OutputCommand {
  constructor(private readonly lifecycle: SigningKeyLifecycleService) {
    super();
  }

  async run(_args: string[], options: JsonOption): Promise<void> {
    const kid = await this.lifecycle.rotate();
    this.print(options, { kid }, `Rotated: ${kid} is the active signing key.`);
  }
}

/** `keys revoke <kid>`: the key leaves the JWK set and its tokens are refused. */
@SubCommand({
  name: 'revoke',
  arguments: '<kid>',
  description: 'revoke a signing key (the active one is rotated first)',
})
export class KeysRevokeCommand extends OutputCommand {
  constructor(private readonly lifecycle: SigningKeyLifecycleService) {
    super();
  }

  async run([kid]: string[], options: JsonOption): Promise<void> {
    const key = toSigningKeyDto(
      await this.lifecycle.revoke(publicIdArg(kid, 'signing key', 'kid')),
    );
    this.print(options, key, `Signing key ${key.kid} is revoked.`);
  }
}

@Command({
  name: 'keys',
  description: 'manage the signing keys: list, rotate, revoke',
  subCommands: [KeysListCommand, KeysRotateCommand, KeysRevokeCommand],
})
export class KeysCommand extends GroupCommand {
  protected readonly commands = ['list', 'rotate', 'revoke'];
}

export const KeysCommands = [KeysCommand, KeysListCommand, KeysRotateCommand, KeysRevokeCommand];
