import type { Type } from '@nestjs/common';

/**
 * API key ids and signing key ids are base64url, so one in 64 begins with "-". Commander reads
 * such an operand as an option: `api-keys revoke -flVT…` failed with "unknown option", and an id
 * beginning "-h" would print the help (and one in 4,096 begins with "--"). Before parsing, a
 * token shaped like one of those ids ("-", then at least 16 base64url characters) that is none
 * of the command line's flags and stands where an operand can stand is moved behind "--", which
 * ends the options. A token right after a flag that takes a value stays: commander gives it to
 * that flag whatever it begins with.
 */
const DASHED_ID = /^-[A-Za-z0-9_-]{16,128}$/;

/** nest-commander's metadata key for `@Option` (its `OptionMeta` constant, not exported). */
const OPTION_METADATA = 'CommandBuilder:Option:Meta';

export interface CliFlags {
  /** Every long flag declared with `@Option` (`--json`, `--api-user`). */
  all: ReadonlySet<string>;
  /** Those that take a value (`--api-user <id>`). */
  withValue: ReadonlySet<string>;
}

/** The long flags of these command classes, read from their `@Option` decorators. */
export function flagsOf(commands: readonly Type[]): CliFlags {
  const all = new Set<string>();
  const withValue = new Set<string>();
  for (const command of commands) {
    for (
      let proto = command.prototype as object | null;
      proto;
      proto = Object.getPrototypeOf(proto) as object | null
    ) {
      for (const name of Object.getOwnPropertyNames(proto)) {
        const method = Object.getOwnPropertyDescriptor(proto, name)?.value as unknown;
        if (typeof method !== 'function') continue;
        const meta = Reflect.getMetadata(OPTION_METADATA, method) as { flags?: string } | undefined;
        const match = meta?.flags ? /(--[a-z0-9-]+)(\s*[<[])?/i.exec(meta.flags) : null;
        if (!match) continue;
        all.add(match[1]);
        if (match[2]) withValue.add(match[1]);
      }
    }
  }
  return { all, withValue };
}

/** `args` (no node / script) with dashed ids in operand position moved behind one "--". */
export function withDashedOperandsLast(args: readonly string[], flags: CliFlags): string[] {
  const end = args.indexOf('--');
  const head = end === -1 ? args : args.slice(0, end);
  const tail = end === -1 ? [] : args.slice(end + 1);
  const kept: string[] = [];
  const moved: string[] = [];
  head.forEach((token, i) => {
    const afterValueFlag = i > 0 && flags.withValue.has(head[i - 1]);
    if (DASHED_ID.test(token) && !flags.all.has(token) && !afterValueFlag) moved.push(token);
    else kept.push(token);
  });
  if (moved.length === 0) return [...args];
  return [...kept, '--', ...moved, ...tail];
}
