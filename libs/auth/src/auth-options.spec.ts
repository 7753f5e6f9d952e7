import { resolveAuthOptions } from './auth-options';

describe('resolveAuthOptions', () => {
  const secret = 'k'.repeat(32);

  it('requires a key-encryption secret of at least 32 characters', () => {
    expect(() => resolveAuthOptions({ issuer: 'https://i' } as never)).toThrow(
      /keyEncryptionSecret is required/,
    );
    expect(() =>
      resolveAuthOptions({ issuer: 'https://i', keyEncryptionSecret: 'k'.repeat(31) }),
    ).toThrow(/keyEncryptionSecret is required and must be at least 32 characters/);
    expect(() =>
      resolveAuthOptions({
        issuer: 'https://i',
        keyEncryptionSecret: secret,
        previousKeyEncryptionSecret: 'short',
      }),
    ).toThrow(/previousKeyEncryptionSecret must be at least 32 characters/);
  });

  it('refuses a bootstrap admin whose key id could never log in, or whose secret is weak', () => {
    const withAdmin = (apiKeyId: string, apiKeySecret: string) => () =>
      resolveAuthOptions({
        issuer: 'https://i',
        keyEncryptionSecret: secret,
        bootstrapAdmin: { apiKeyId, apiKeySecret },
      });
    const strong = 'S'.repeat(32);
    expect(withAdmin('admin-key', strong)).toThrow(
      /bootstrapAdmin.apiKeyId must be 16 to 128 base64url characters/,
    );
    expect(withAdmin('admin key with spaces', strong)).toThrow(/bootstrapAdmin.apiKeyId/);
    expect(withAdmin('bootstrap-admin-key-01', 'hunter2')).toThrow(
      /bootstrapAdmin.apiKeySecret must be 32 to 256 base64url characters/,
    );
    expect(withAdmin('bootstrap-admin-key-01', strong)).not.toThrow();
  });

  it('defaults the signing-key rotation to 90 days and the reload to every second', () => {
    const options = resolveAuthOptions({ issuer: 'https://i', keyEncryptionSecret: secret });
    expect(options).toMatchObject({ signingKeyRotationDays: 90, signingKeyReloadIntervalMs: 1000 });
    expect(options.previousKeyEncryptionSecret).toBeUndefined();
    expect(() =>
      resolveAuthOptions({
        issuer: 'https://i',
        keyEncryptionSecret: secret,
        signingKeyRotationDays: -1,
      }),
    ).toThrow(/signingKeyRotationDays/);
    expect(() =>
      resolveAuthOptions({
        issuer: 'https://i',
        keyEncryptionSecret: secret,
        signingKeyReloadIntervalMs: 0,
      }),
    ).toThrow(/signingKeyReloadIntervalMs/);
  });

  it('defaults the wallet audience to <issuer>/wallet and registration tokens to 72 hours', () => {
    const options = resolveAuthOptions({
      issuer: 'https://auth.example/',
      keyEncryptionSecret: secret,
    });
    expect(options.walletTokenAudience).toBe('https://auth.example/wallet');
    expect(options.audience).toBe('https://auth.example/');
    expect(options.registrationTokenTtlSeconds).toBe(259_200);
  });

  it('refuses a wallet audience equal to the access tokens audience', () => {
    expect(() =>
      resolveAuthOptions({
        issuer: 'https://a.example',
        keyEncryptionSecret: secret,
        audience: 'api',
        walletTokenAudience: 'api',
      }),
    ).toThrow(/walletTokenAudience must differ from audience/);
    expect(() =>
      resolveAuthOptions({
        issuer: 'https://a.example',
        keyEncryptionSecret: secret,
        audience: 'https://a.example/wallet',
      }),
    ).toThrow(/walletTokenAudience must differ from audience/);
  });

  it('allows the audience alone as a resource by default, and refuses resources that are no URI', () => {
    const base = { issuer: 'https://a.example', keyEncryptionSecret: secret, audience: 'api' };
    expect(resolveAuthOptions(base).allowedResources).toEqual(['api']);
    expect(
      resolveAuthOptions({ ...base, allowedResources: ['api', 'https://r.example/x'] })
        .allowedResources,
    ).toEqual(['api', 'https://r.example/x']);
    for (const allowedResources of [[], ['reports'], ['https://r.example/#f']]) {
      expect(() => resolveAuthOptions({ ...base, allowedResources })).toThrow(/allowedResources/);
    }
  });

  it('refuses a registration-token lifetime that is not a positive integer', () => {
    expect(() =>
      resolveAuthOptions({
        issuer: 'https://a.example',
        keyEncryptionSecret: secret,
        registrationTokenTtlSeconds: 0,
      }),
    ).toThrow(/registrationTokenTtlSeconds/);
  });
});
