import { DomainError } from '../../libs/auth/src/common/domain-error';
import { ConfigError } from '../config/env';
import { CliUsageError } from './cli-output';

/** A failure as one line: no stack, no SQL (only the driver's or the domain's message). */
export function failureLine(error: unknown): string {
  const firstLine = (text: string) => text.split('\n', 1)[0].trim().slice(0, 500);
  if (error instanceof DomainError) {
    // Each bad field, as the API's `details` name them.
    const details = error.details?.map((detail) => `${detail.target}: ${detail.message}`);
    return details?.length
      ? `error: ${error.code}: ${firstLine(details.join('; '))}`
      : `error: ${error.code}: ${firstLine(error.message)}${error.target ? ` (${error.target})` : ''}`;
  }
  if (error instanceof CliUsageError || error instanceof ConfigError) {
    return `error: ${firstLine(error.message)}`;
  }
  // Commander's own refusals (unknown option, missing argument) start with "error: ".
  if (isCommanderError(error)) return firstLine(error.message).replace(/^(error: )?/, 'error: ');
  if (error instanceof Error) {
    const kind =
      error.name === 'QueryFailedError'
        ? 'database error: '
        : error.name === 'Error'
          ? ''
          : `${error.name}: `;
    return `error: ${kind}${firstLine(error.message)}`;
  }
  return `error: ${firstLine(String(error))}`;
}

interface CommanderLikeError extends Error {
  code: string;
  exitCode: number;
}

export function isCommanderError(error: unknown): error is CommanderLikeError {
  return (
    error instanceof Error &&
    typeof (error as CommanderLikeError).code === 'string' &&
    (error as CommanderLikeError).code.startsWith('commander.')
  );
}
