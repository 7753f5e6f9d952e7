import type { Random } from './random';
import type { Schema } from './openapi-operations';

/** Strings chosen to break parsers, validators, queries and logs. */
const NASTY_STRINGS = [
  '',
  ' ',
  'a\u0000b',
  '\u0000',
  '\ud800',
  '\udfff\ud800',
  '\u202e\u0041\u202c',
  '\ufeffbom',
  '😀'.repeat(40),
  'Ω≈ç√∫˜µ≤≥÷',
  'ｔｅｓｔ',
  "x'); DROP TABLE api_users; --",
  '" OR 1=1 --',
  '%00',
  '%',
  '%zz',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '${jndi:ldap://x/a}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '\r\nSet-Cookie: a=b',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
  '0x10',
  'true',
  '__proto__',
  'constructor',
  'eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.',
];

export function hostileString(random: Random): string {
  return random.weighted<() => string>([
    [6, () => random.pick(NASTY_STRINGS)],
    [2, () => random.pick(['a', 'é', '😀', '\u0000', '%', '/']).repeat(random.int(100, 70_000))],
    [2, () => randomUnicode(random, random.int(1, 300))],
    [1, () => random.pick(NASTY_STRINGS) + random.pick(NASTY_STRINGS)],
  ])();
}

/** Code points from every plane, surrogate halves and controls included. */
function randomUnicode(random: Random, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) {
    const codePoint = random.weighted([
      [4, random.int(0, 0x7f)],
      [2, random.int(0x80, 0xffff)],
      [1, random.int(0x10000, 0x10ffff)],
    ]);
    text += String.fromCodePoint(codePoint);
  }
  return text;
}

/** JSON text nested `depth` levels deep, in arrays or objects: as text, as no JSON.stringify would survive it. */
export function deepJson(random: Random, depth: number): string {
  const [open, close] = random.chance(0.5) ? ['[', ']'] : ['{"a":', '}'];
  return `${open.repeat(depth)}${random.pick(['"x"', '1', 'null', 'true'])}${close.repeat(depth)}`;
}

/** A JSON value nested `depth` levels deep, in arrays or objects. */
export function deepValue(random: Random, depth: number): unknown {
  let value: unknown = random.pick(['x', 1, null, true]);
  const asArrays = random.chance(0.5);
  for (let i = 0; i < depth; i++) value = asArrays ? [value] : { a: value };
  return value;
}

/** Any JSON value of the wrong kind, or of the right kind with an absurd content. */
export function hostileValue(random: Random): unknown {
  return random.weighted<() => unknown>([
    [5, () => hostileString(random)],
    [
      2,
      () =>
        random.pick([
          0,
          -1,
          1.5,
          1e308,
          -1e308,
          Number.MAX_SAFE_INTEGER + 2,
          2 ** 31,
          -(2 ** 63),
          1e-300,
        ]),
    ],
    [1, () => random.pick([true, false, null])],
    [1, () => [hostileString(random)]],
    [1, () => ({ $gt: '' })],
    [1, () => JSON.parse('{"__proto__": {"admin": true}}') as unknown],
    [1, () => deepValue(random, random.int(10, 1000))],
    [1, () => Array.from({ length: random.int(0, 5000) }, (_, i) => i)],
  ])();
}

/** A value the schema accepts (or nearly: within its documented bounds). */
export function plausibleValue(
  random: Random,
  schema: Schema | undefined,
  example?: unknown,
): unknown {
  if (schema?.enum !== undefined) return random.pick(schema.enum);
  if (schema?.example !== undefined && random.chance(0.5)) return schema.example;
  if (example !== undefined) return example;
  switch (schema?.type) {
    case 'number':
    case 'integer':
      return random.int(schema.minimum ?? 0, Math.min(schema.maximum ?? 100, 100));
    case 'boolean':
      return random.chance(0.5);
    default: {
      const length = random.int(
        Math.max(schema?.minLength ?? 1, 1),
        Math.min(schema?.maxLength ?? 40, 40),
      );
      let text = '';
      for (let i = 0; i < length; i++)
        text += random.pick([
          ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_',
        ]);
      return text;
    }
  }
}
