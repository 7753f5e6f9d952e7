import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** An IPv4-mapped IPv6 address (`::ffff:203.0.113.9`), as a dual-stack socket reports IPv4 peers. */
const MAPPED_IPV4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** The address as the allow-list compares it: a mapped IPv4 address as plain IPv4. */
export function comparableAddress(ip: string): string {
  return MAPPED_IPV4.exec(ip)?.[1] ?? ip;
}

/** The request's address as allow-lists compare it, or null when it is not an IP address. */
export function clientAddress(ip: string | null): string | null {
  if (ip === null) return null;
  const address = comparableAddress(ip);
  return isIPv4(address) || isIPv6(address) ? address : null;
}

/**
 * A CIDR (`203.0.113.0/24`, `2001:db8::/32`) or a single address (taken as /32 or /128),
 * in canonical form (`address/prefix`, IPv6 lower-case); null when malformed.
 */
export function canonicalCidr(text: string): string | null {
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const family = isIPv4(address) ? 4 : isIPv6(address) ? 6 : 0;
  if (family === 0) return null;
  const max = family === 4 ? 32 : 128;
  const prefixText = slash === -1 ? String(max) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = Number(prefixText);
  if (prefix > max) return null;
  return `${family === 6 ? address.toLowerCase() : address}/${prefix}`;
}

/**
 * An allow-list compiled, with its recent verdicts by address. `BlockList.check` builds a
 * SocketAddress for every call (about 1.5 µs here, 2 % of a refresh's CPU); a key's requests
 * come from a few addresses, so each address is checked once and then found in a Map.
 */
interface CompiledAllowList {
  readonly list: BlockList;
  readonly verdicts: Map<string, boolean>;
}

/** The allow-lists seen recently, compiled; a key's list is a handful of CIDRs. */
const compiled = new Map<string, CompiledAllowList>();
const MAX_COMPILED = 1000;
/** Addresses remembered per list; past it, the list's verdicts start over. */
const MAX_VERDICTS = 1000;

function compile(allowedCidrs: string): CompiledAllowList {
  let entry = compiled.get(allowedCidrs);
  if (entry) return entry;
  const list = new BlockList();
  for (const cidr of allowedCidrs.split(' ')) {
    const slash = cidr.lastIndexOf('/');
    const address = cidr.slice(0, slash);
    list.addSubnet(address, Number(cidr.slice(slash + 1)), isIPv4(address) ? 'ipv4' : 'ipv6');
  }
  // Bounded: past the bound, start over (the lists are cheap to compile again).
  if (compiled.size >= MAX_COMPILED) compiled.clear();
  entry = { list, verdicts: new Map() };
  compiled.set(allowedCidrs, entry);
  return entry;
}

/**
 * Whether a request from `ip` may use a key with this allow-list (canonical CIDRs, space-
 * separated, as stored). No list: any address. A list and no known address: refused.
 */
export function addressAllowed(allowedCidrs: string | null, ip: string | null): boolean {
  if (allowedCidrs === null) return true;
  if (ip === null) return false;
  const { list, verdicts } = compile(allowedCidrs);
  let allowed = verdicts.get(ip);
  if (allowed === undefined) {
    const address = comparableAddress(ip);
    const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : null;
    allowed = family !== null && list.check(address, family);
    if (verdicts.size >= MAX_VERDICTS) verdicts.clear();
    verdicts.set(ip, allowed);
  }
  return allowed;
}
