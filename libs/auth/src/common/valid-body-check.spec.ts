import { type ArgumentMetadata, type Type, ValidationPipe } from '@nestjs/common';
import { CreateApiKeyDto } from '../api-users/dto/api-key.dto';
import { CreateApiUserDto, UpdateApiUserDto } from '../api-users/dto/api-user.dto';
import { RegisterDto } from '../api-users/dto/registration.dto';
import { CreateClientDto } from '../clients/dto/client.dto';
import { OAuthTokenParamDto, OAuthTokenRequestDto } from '../oauth/oauth.dto';
import { ProfileRefreshRequestDto } from '../profiles/refresh-token-request.dto';
import { RefreshRequestDto } from '../token/dto/refresh-request.dto';
import { TokenRequestDto } from '../token/dto/token-request.dto';
import { DomainError } from './domain-error';
import { compileValidBodyCheck } from './valid-body-check';
import { createValidationPipe, validationPipeOptions } from './validation';

/** Every body class of the library, with one valid body of it. */
const BODIES: [Type<unknown>, Record<string, unknown>][] = [
  [TokenRequestDto, { api_key_id: '2khK02ZRc_TE9nYJyGIfIQ', api_key_secret: 'a'.repeat(43) }],
  // With its optional field: the shortcut must treat it as the pipe does, present or not.
  [
    TokenRequestDto,
    { api_key_id: '2khK02ZRc_TE9nYJyGIfIQ', api_key_secret: 'a'.repeat(43), scope: 'a b' },
  ],
  [RefreshRequestDto, { refresh_token: 'r'.repeat(43) }],
  [ProfileRefreshRequestDto, { refreshToken: 'r'.repeat(43) }],
  [RegisterDto, { registration_token: 'abc-_123' }],
  [CreateApiUserDto, { name: 'Ops bot 1', role: 'operator' }],
  [UpdateApiUserDto, { status: 'suspended' }],
  [CreateClientDto, { name: 'reporting' }],
  [OAuthTokenRequestDto, { grant_type: 'client_credentials' }],
  [OAuthTokenParamDto, { token: 't'.repeat(20) }],
];

/** Strings around each rule's edges: lengths, surrogate pairs, variation selectors, patterns. */
const STRINGS = [
  '',
  'a',
  'a'.repeat(15),
  'a'.repeat(16),
  'a'.repeat(64),
  'a'.repeat(65),
  'a'.repeat(128),
  'a'.repeat(129),
  'a'.repeat(256),
  'a'.repeat(257),
  'a'.repeat(512),
  'a'.repeat(513),
  '😀'.repeat(16),
  '😀'.repeat(40),
  'a\uFE0F'.repeat(20),
  '\uD800',
  'has space',
  ' leading',
  'dots.and_under-score@x',
  'base64url+/=',
  'x;DROP',
  'Ünïcödé',
  '\u0000',
  'operator',
  'admin',
  'suspended',
  'active',
  'deleted',
  'refresh_token',
  'client_credentials',
];

const OTHER_VALUES: unknown[] = [undefined, null, 0, 42, true, [], ['a'], {}, { a: 1 }];

/** Fresh inputs each call: the pipe may change what it is given. */
function bodiesAround(valid: Record<string, unknown>): (() => unknown)[] {
  const fields = Object.keys(valid);
  const cases: (() => unknown)[] = [
    () => ({ ...valid }),
    () => ({ ...valid, extra: 'x' }),
    () => JSON.parse(`{"__proto__": {"polluted": true}, ${JSON.stringify(valid).slice(1)}`),
    () => ({ ...valid, constructor: 'x' }),
    () => Object.assign(Object.create(null) as object, valid),
    () => [valid],
    () => JSON.stringify(valid),
    () => null,
    () => undefined,
    () => 7,
  ];
  for (const field of fields) {
    cases.push(() => {
      const copy = { ...valid };
      delete copy[field];
      return copy;
    });
    for (const value of [...STRINGS, ...OTHER_VALUES])
      cases.push(() => ({ ...valid, [field]: value }));
  }
  return cases;
}

type Outcome =
  | { accepted: true; type: string; body: Record<string, unknown> }
  | { accepted: false; error: unknown };

async function outcomeOf(pipe: ValidationPipe, target: Type<unknown>, value: unknown) {
  const metadata: ArgumentMetadata = { type: 'body', metatype: target, data: '' };
  try {
    const result = (await pipe.transform(value, metadata)) as object;
    return {
      accepted: true,
      type: result?.constructor?.name,
      body: { ...result },
    } as Outcome;
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return { accepted: false, error: (error as DomainError).getResponse() } as Outcome;
  }
}

describe('the validation pipe with its valid-body shortcut', () => {
  it.each([true, false])(
    'answers every body exactly as ValidationPipe does (unknown fields rejected: %s)',
    async (rejectUnknownFields) => {
      const ours = createValidationPipe({ rejectUnknownFields });
      const reference = new ValidationPipe(validationPipeOptions({ rejectUnknownFields }));
      let accepted = 0;
      let compared = 0;
      for (const [target, valid] of BODIES) {
        for (const body of bodiesAround(valid)) {
          const expected = await outcomeOf(reference, target, body());
          expect({
            target: target.name,
            input: body(),
            outcome: await outcomeOf(ours, target, body()),
          }).toEqual({
            target: target.name,
            input: body(),
            outcome: expected,
          });
          compared += 1;
          if (expected.accepted) accepted += 1;
        }
      }
      // Both answers occur often: the comparison covers the shortcut and the pipe.
      expect(compared).toBeGreaterThan(500);
      expect(accepted).toBeGreaterThan(100);
      expect(compared - accepted).toBeGreaterThan(100);
    },
  );

  it('takes the shortcut for the token endpoints, optional fields included, not for arrays', () => {
    for (const target of [TokenRequestDto, RefreshRequestDto, ProfileRefreshRequestDto]) {
      const valid = BODIES.find(([type]) => type === target)![1];
      expect(compileValidBodyCheck(target)?.({ ...valid })).toBe(true);
    }
    // Optional fields are the pipe's rule too (skipped when absent or null); arrays are not.
    expect(compileValidBodyCheck(TokenRequestDto)?.({ ...BODIES[0][1], scope: null })).toBe(true);
    expect(compileValidBodyCheck(TokenRequestDto)?.({ ...BODIES[0][1], scope: 7 })).toBe(false);
    expect(compileValidBodyCheck(OAuthTokenRequestDto)).toEqual(expect.any(Function));
    expect(compileValidBodyCheck(CreateApiKeyDto)).toBeUndefined();
  });

  it('says no, never yes, to what it cannot vouch for', () => {
    const check = compileValidBodyCheck(RefreshRequestDto)!;
    expect(check({ refresh_token: 'r' })).toBe(true);
    expect(check({ refresh_token: 'r', other: 1 })).toBe(false);
    expect(check({})).toBe(false);
    expect(check({ refresh_token: 1 })).toBe(false);
    expect(check(Object.assign(Object.create(null) as object, { refresh_token: 'r' }))).toBe(false);
    expect(check(new RefreshRequestDto())).toBe(false);
    expect(check('{"refresh_token":"r"}')).toBe(false);
  });
});
