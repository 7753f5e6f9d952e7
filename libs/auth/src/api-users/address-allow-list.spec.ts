import { BlockList } from 'node:net';
import { addressAllowed, canonicalCidr, comparableAddress } from './address-allow-list';

describe('address allow-lists', () => {
  it('canonicalises CIDRs and single addresses, refusing malformed ones', () => {
    expect(canonicalCidr('203.0.113.0/24')).toBe('203.0.113.0/24');
    expect(canonicalCidr('0.0.0.0/0')).toBe('0.0.0.0/0');
    expect(canonicalCidr('10.1.2.3')).toBe('10.1.2.3/32');
    expect(canonicalCidr('2001:DB8::/32')).toBe('2001:db8::/32');
    expect(canonicalCidr('::1')).toBe('::1/128');
    for (const bad of [
      '999.1.1.1/8',
      '10.0.0.0/33',
      '2001:db8::/129',
      '10.0.0.0/',
      '10.0.0.0/-1',
      'example.com',
      '',
      '10.0.0.0/8/8',
      '10.0.0.0/08x',
    ])
      expect(canonicalCidr(bad)).toBeNull();
  });

  it('admits addresses inside a list, IPv4 and IPv6, and refuses the rest', () => {
    const list = '203.0.113.0/24 2001:db8::/32';
    expect(addressAllowed(list, '203.0.113.77')).toBe(true);
    expect(addressAllowed(list, '::ffff:203.0.113.77')).toBe(true);
    expect(addressAllowed(list, '2001:db8:1::5')).toBe(true);
    expect(addressAllowed(list, '203.0.114.1')).toBe(false);
    expect(addressAllowed(list, '2001:db9::1')).toBe(false);
    expect(addressAllowed(list, null)).toBe(false);
    expect(addressAllowed(list, 'not-an-address')).toBe(false);
    expect(addressAllowed(null, '198.51.100.1')).toBe(true);
    expect(addressAllowed('0.0.0.0/0', '198.51.100.1')).toBe(true);
  });

  it('compares a mapped IPv4 address as IPv4', () => {
    expect(comparableAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(comparableAddress('::1')).toBe('::1');
  });

  it('checks an address against a list once, then remembers the verdict', () => {
    const check = jest.spyOn(BlockList.prototype, 'check');
    try {
      const list = '192.0.2.0/24';
      for (let i = 0; i < 5; i += 1) {
        expect(addressAllowed(list, '192.0.2.10')).toBe(true);
        expect(addressAllowed(list, '198.51.100.10')).toBe(false);
      }
      expect(check).toHaveBeenCalledTimes(2);
      // Another list, the same address: a verdict of its own.
      expect(addressAllowed('198.51.100.0/24', '198.51.100.10')).toBe(true);
      expect(check).toHaveBeenCalledTimes(3);
    } finally {
      check.mockRestore();
    }
  });
});
