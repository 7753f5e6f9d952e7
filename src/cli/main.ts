#!/usr/bin/env node
import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { loadConfig } from '../config/env';
import { CLI_COMMANDS, CliModule } from './cli.module';
import { flagsOf, withDashedOperandsLast } from './dashed-operands';
import { failureLine, isCommanderError } from './failure-line';

/**
 * `auth-admin`: the admin command line. Works on the database named by the server's
 * variables (DATABASE_URL / DATABASE_PATH, KEY_ENCRYPTION_SECRET…), with no HTTP server.
 * stdout carries the command's output alone; on failure, one line on stderr and exit 1.
 */

function exit(code: number): void {
  // A failure reported first (an unhandled rejection) is not undone by a later success.
  if (process.exitCode === undefined || process.exitCode === 0) process.exitCode = code;
  // Once the context is closed nothing should be left running, and the process ends as soon
  // as stdout is flushed. Should a handle linger, it must not keep a shell or a script waiting.
  setTimeout(() => process.exit(), 1000).unref();
}

async function main(): Promise<number> {
  const outcome: { failure?: unknown } = {};
  const config = loadConfig(process.env);
  const [node, script, ...args] = process.argv;
  process.argv = [node, script, ...withDashedOperandsLast(args, flagsOf(CLI_COMMANDS))];
  await CommandFactory.run(CliModule.register(config), {
    logger: false,
    abortOnError: false,
    // Help and usage go to stdout; commander's own error text is replaced by our one line.
    outputConfiguration: { writeErr: () => undefined, outputError: () => undefined },
    // Commander's exits (help, version, bad arguments) become errors handled below.
    errorHandler: (error) => {
      throw error;
    },
    serviceErrorHandler: (error) => {
      outcome.failure = error;
    },
  });
  const { failure } = outcome;
  if (failure === undefined) return 0;
  if (isCommanderError(failure) && failure.exitCode === 0) return 0;
  process.stderr.write(`${failureLine(failure)}\n`);
  return 1;
}

// A rejection nobody awaited would print a stack trace: one line instead, and exit 1.
process.on('unhandledRejection', (error: unknown) => {
  process.stderr.write(`${failureLine(error)}\n`);
  exit(1);
});

main().then(exit, (error: unknown) => {
  process.stderr.write(`${failureLine(error)}\n`);
  exit(1);
});
