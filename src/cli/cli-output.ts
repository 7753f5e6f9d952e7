import { Option, CommandRunner } from 'nest-commander';

/** Commander's command, as nest-commander hands it over (commander is its dependency, not ours). */
type Command = Parameters<CommandRunner['setCommand']>[0];

/** A refusal of the command line itself (bad arguments, unknown command): one line, exit 1. */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

export interface JsonOption {
  json?: boolean;
}

/**
 * A command that prints for people by default and one JSON document with `--json`. stdout
 * carries the command's output only: Nest's and the library's log lines are off in the CLI.
 */
export abstract class OutputCommand<Options extends JsonOption = JsonOption> extends CommandRunner {
  @Option({ flags: '--json', description: 'print JSON' })
  parseJson(): boolean {
    return true;
  }

  abstract override run(args: string[], options: Options): Promise<void>;

  override setCommand(command: Command): this {
    return super.setCommand(throwOnExit(command));
  }

  /** `value` as JSON with --json, otherwise the lines for people. */
  protected print(options: JsonOption, value: unknown, lines: string | string[]): void {
    if (options.json) {
      process.stdout.write(`${JSON.stringify(value)}\n`);
      return;
    }
    const text = Array.isArray(lines) ? lines.join('\n') : lines;
    if (text !== '') process.stdout.write(`${text}\n`);
  }
}

/**
 * nest-commander sets the error handler on the root command only: a subcommand's refusal
 * (unknown option, missing argument) would exit at once, without the one line on stderr.
 */
function throwOnExit(command: Command): Command {
  return command.exitOverride((error) => {
    throw error;
  });
}

/**
 * A group (`api-users`, `keys`…) only dispatches to its commands: alone, or with a command it
 * does not know, it is a usage error. It has no option of its own: `--json` after a command
 * belongs to that command (commander gives a parent's options precedence).
 */
export abstract class GroupCommand extends CommandRunner {
  protected abstract readonly commands: string[];

  override setCommand(command: Command): this {
    return super.setCommand(throwOnExit(command));
  }

  run(args: string[]): Promise<void> {
    const group = this.command.name();
    return Promise.reject(
      new CliUsageError(
        args.length > 0
          ? `unknown command '${group} ${args[0]}'`
          : `${group} needs a command: ${this.commands.join(', ')}`,
      ),
    );
  }
}

/** Fixed-width columns for people. */
export function table(rows: string[][]): string[] {
  const widths = (rows[0] ?? []).map((_, column) =>
    Math.max(...rows.map((row) => row[column].length)),
  );
  return rows.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column])))
      .join('  ')
      .trimEnd(),
  );
}
