import { QueryFailedError } from 'typeorm';
import { DomainError } from '../../libs/auth/src/common/domain-error';
import { ConfigError } from '../config/env';
import { CliUsageError } from './cli-output';
import { failureLine } from './failure-line';

describe('failureLine (what auth-admin prints on stderr when a command fails)', () => {
  it('names the domain error code, message and target', () => {
    expect(failureLine(new DomainError('not_found', 'No such API user.', 'id'))).toBe(
      'error: not_found: No such API user. (id)',
    );
  });

  it('names each bad field of a validation failure', () => {
    const failure = new DomainError('validation_failed', undefined, 'scopes[0]', [
      { code: 'isDeclaredScope', message: 'unknown scope', target: 'scopes[0]' },
      { code: 'isCidr', message: 'must be a CIDR', target: 'allowed_cidrs[1]' },
    ]);
    expect(failureLine(failure)).toBe(
      'error: validation_failed: scopes[0]: unknown scope; allowed_cidrs[1]: must be a CIDR',
    );
  });

  it('prints usage and configuration errors as they are', () => {
    expect(failureLine(new CliUsageError("unknown command 'x'"))).toBe(
      "error: unknown command 'x'",
    );
    expect(failureLine(new ConfigError('PORT', 'must be a whole number, got "x"'))).toBe(
      'error: Invalid configuration: PORT must be a whole number, got "x"',
    );
  });

  it('never prints the SQL of a failed query, nor more than one line', () => {
    const driverError = Object.assign(new Error('invalid input syntax for type uuid: "x"'), {
      code: '22P02',
    });
    const line = failureLine(
      new QueryFailedError('SELECT secret_hash FROM api_keys WHERE id = $1', ['x'], driverError),
    );
    expect(line).toBe('error: database error: invalid input syntax for type uuid: "x"');
    expect(failureLine(new Error('first\n    at somewhere (file.js:1:1)'))).toBe('error: first');
    expect(failureLine(new TypeError('boom'))).toBe('error: TypeError: boom');
  });
});
