import { resolveAuthOptions } from './auth-options';

describe('resolveAuthOptions', () => {
  it('defaults the wallet audience to <issuer>/wallet and registration tokens to 72 hours', () => {
    const options = resolveAuthOptions({ issuer: 'https://auth.example/' });
    expect(options.walletTokenAudience).toBe('https://auth.example/wallet');
    expect(options.audience).toBe('https://auth.example/');
    expect(options.registrationTokenTtlSeconds).toBe(259_200);
  });

  it('refuses a wallet audience equal to the access tokens audience', () => {
    expect(() =>
      resolveAuthOptions({
        issuer: 'https://a.example',
        audience: 'api',
        walletTokenAudience: 'api',
      }),
    ).toThrow(/walletTokenAudience must differ from audience/);
    expect(() =>
      resolveAuthOptions({ issuer: 'https://a.example', audience: 'https://a.example/wallet' }),
    ).toThrow(/walletTokenAudience must differ from audience/);
  });

  it('refuses a registration-token lifetime that is not a positive integer', () => {
    expect(() =>
      resolveAuthOptions({ issuer: 'https://a.example', registrationTokenTtlSeconds: 0 }),
    ).toThrow(/registrationTokenTtlSeconds/);
  });
});
