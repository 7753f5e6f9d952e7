import 'reflect-metadata';
import { CLI_COMMANDS } from './cli.module';
import { flagsOf, withDashedOperandsLast } from './dashed-operands';

describe('withDashedOperandsLast', () => {
  const flags = flagsOf(CLI_COMMANDS);

  it('reads the flags from the commands, telling those that take a value', () => {
    expect([...flags.withValue].sort()).toEqual([
      '--allowed-cidrs',
      '--api-user',
      '--expires-at',
      '--name',
      '--role',
      '--scopes',
      '--since',
    ]);
    expect(flags.all.has('--json')).toBe(true);
    expect(flags.all.has('--another')).toBe(true);
    expect(flags.withValue.has('--json')).toBe(false);
  });

  it('moves an id beginning with "-" (or "-h", or "--") behind "--"', () => {
    expect(
      withDashedOperandsLast(['api-keys', 'revoke', '-flVTtWBJp_2hrsZThBLlA', '--json'], flags),
    ).toEqual(['api-keys', 'revoke', '--json', '--', '-flVTtWBJp_2hrsZThBLlA']);
    expect(withDashedOperandsLast(['keys', 'revoke', '-hVTtWBJp_2hrsZThBLlA'], flags)).toEqual([
      'keys',
      'revoke',
      '--',
      '-hVTtWBJp_2hrsZThBLlA',
    ]);
    expect(withDashedOperandsLast(['keys', 'revoke', '--VTtWBJp_2hrsZThBLlA'], flags)).toEqual([
      'keys',
      'revoke',
      '--',
      '--VTtWBJp_2hrsZThBLlA',
    ]);
  });

  it('leaves flags, values of flags, short tokens and what is already behind "--"', () => {
    const args = ['api-users', 'create', '--name', '-abcdefghijklmnopq', '--role', 'admin', '-h'];
    expect(withDashedOperandsLast(args, flags)).toEqual(args);
    expect(withDashedOperandsLast(['api-keys', 'revoke', 'flVTtWBJp_2hrsZThBLlA'], flags)).toEqual([
      'api-keys',
      'revoke',
      'flVTtWBJp_2hrsZThBLlA',
    ]);
    const ended = ['api-keys', 'revoke', '--json', '--', '-flVTtWBJp_2hrsZThBLlA'];
    expect(withDashedOperandsLast(ended, flags)).toEqual(ended);
  });
});
