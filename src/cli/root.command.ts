import { RootCommand, CommandRunner } from 'nest-commander';
import { CliUsageError } from './cli-output';

/** `auth-admin` alone, or with a command it does not know: a usage error, in one line. */
@RootCommand({ name: 'auth-admin', description: 'Administer the auth server on its database.' })
export class AuthAdminRootCommand extends CommandRunner {
  run(args: string[]): Promise<void> {
    return Promise.reject(
      new CliUsageError(
        args.length > 0
          ? `unknown command '${args[0]}'`
          : 'a command is needed; see auth-admin --help',
      ),
    );
  }
}
