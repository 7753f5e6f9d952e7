import { Command } from 'nest-commander';
import { SigningKeyLifecycleService } from '../../libs/auth/src/keys/signing-key-lifecycle.service';
import { OutputCommand, type JsonOption } from './cli-output';

/**
 * `rewrap-keys`: re-seals every private signing key under KEY_ENCRYPTION_SECRET, opening
 * those sealed under KEY_ENCRYPTION_SECRET_PREVIOUS (the server's own start-up re-sealing,
 * run here without starting it). Afterwards the server starts with the new secret alone.
 * A key that opens under neither secret stops the command (exit 1); keys re-sealed before it
 * stay so (they open under the new secret, which the next run or start uses).
 */
@Command({
  name: 'rewrap-keys',
  description:
    're-seal the signing keys under KEY_ENCRYPTION_SECRET (those sealed under KEY_ENCRYPTION_SECRET_PREVIOUS)',
})
export class RewrapKeysCommand extends OutputCommand {
  constructor(private readonly lifecycle: SigningKeyLifecycleService) {
    super();
  }

  async run(_args: string[], options: JsonOption): Promise<void> {
    const { keys, resealed } = await this.lifecycle.resealStoredKeys();
    this.print(
      options,
      { signing_keys: keys, resealed },
      `${resealed} of ${keys} signing key(s) re-sealed; all are sealed under the current KEY_ENCRYPTION_SECRET.`,
    );
  }
}
