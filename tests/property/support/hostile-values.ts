import fc from 'fast-check'

/**
 * Building blocks of hostile JSON, as raw text: a number token is written exactly as a client
 * might send it, so `1e400`, `-0` or `1e-7` reach the services as those bytes, not as whatever
 * JSON.stringify would make of them.
 */
const NUMBER_TOKENS = [
  '0',
  '-0',
  '0.0',
  '-0.0',
  '1',
  '-1',
  '1e2',
  '1E2',
  '1e+2',
  '1e-7',
  '1e400',
  '-1e400',
  '1e-400',
  '0.1',
  '0.01',
  '0.001',
  '1.005',
  '100.50',
  '999999999.99',
  '1000000000',
  '1000000000.00',
  '1000000000.01',
  '1000000001',
  '9007199254740993',
  '12345678901234567890123456789',
  '4.9e-324',
  '1.7976931348623157e308',
  '2.5e1',
  '0.30000000000000004',
  // Exact cents written the long way, and numbers a double cannot hold as written.
  '25.0',
  '25.50',
  '2500e-2',
  '0.07',
  '1.15',
  '25.000000000000000001',
  '0.1000000000000000000001',
  '1e-400',
]

/** Not JSON at all: the services must answer 400 malformed_json, never choke. */
const NOT_JSON_NUMBERS = [
  'NaN',
  '-NaN',
  'Infinity',
  '-Infinity',
  '0x10',
  '01',
  '.5',
  '5.',
  '+1',
  '1e',
  '1_000',
  '١',
]

/** Strings that look like numbers, which the schema must refuse (no coercion). */
const NUMBER_LOOKING_STRINGS = ['"1"', '"1e2"', '"NaN"', '"Infinity"', '"-0"', '"0x10"', '" 5"', '""']

export const numberToken: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NUMBER_TOKENS) },
  { weight: 1, arbitrary: fc.constantFrom(...NUMBER_LOOKING_STRINGS) },
  {
    weight: 2,
    arbitrary: fc.integer({ min: -1_000, max: 100_000 }).map((cents) => (cents / 100).toString()),
  },
  { weight: 1, arbitrary: fc.double({ noNaN: true }).map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String) },
)

export const notJsonNumber: fc.Arbitrary<string> = fc.constantFrom(...NOT_JSON_NUMBERS)

const SQL_LOOKING = [
  "'; DROP TABLE orders; --",
  "' OR '1'='1",
  '1; SELECT pg_sleep(10)',
  '$1, $2); DELETE FROM payments.accounts; --',
  "E'\\\\x00'",
  '"; TRUNCATE ledger_entries CASCADE; --',
  'NULL',
  '%s%s%s%n',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, sent as literal text
  '${process.exit()}',
  '{{7*7}}',
  '__proto__',
]

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code))
const nul = fc.constant('\u0000')
const controlOrAny = fc.string({ unit: 'binary', maxLength: 30 })

/** Strings that break naive code: NUL, lone surrogates, control characters, SQL, huge lengths. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 20 }),
  controlOrAny,
  fc.string({
    unit: fc.oneof(loneSurrogate, nul, fc.string({ unit: 'binary', maxLength: 1 })),
    maxLength: 10,
  }),
  fc.constantFrom(...SQL_LOOKING),
  fc.constantFrom(499, 500, 501, 4_000).chain((length) => fc.constant('é'.repeat(length))),
  fc.integer({ min: 0, max: 20_000 }).map((length) => 'x'.repeat(length)),
  fc.uuid(),
)

/** A key that could be a real field, a prototype attack, or noise. */
export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('amount', 'initial_balance', 'order_id', 'description', 'user_id', 'status', 'id'),
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'Amount', 'amount ', ''),
  fc.string({ maxLength: 12 }),
  hostileString,
)

/** JSON text of a string; JSON.stringify escapes NUL and lone surrogates as \u0000 and \ud800. */
export const jsonString = (value: fc.Arbitrary<string>) => value.map((text) => JSON.stringify(text))

/** Any JSON value as text, numbers written raw; nesting stays shallow here (see deepNesting). */
export const jsonText: fc.Arbitrary<string> = fc.letrec<{ value: string; array: string; object: string }>(
  (tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      numberToken,
      jsonString(hostileString),
      fc.constantFrom('null', 'true', 'false'),
      tie('array'),
      tie('object'),
    ),
    array: fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
    object: fc
      .array(fc.tuple(hostileKey, tie('value')), { maxLength: 4 })
      .map((entries) => `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(',')}}`),
  }),
).value

/** Arrays or objects nested thousands deep: a recursive parser or validator would overflow its stack. */
export const deepNesting: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 1, max: 30_000 }), fc.constantFrom('array', 'object', 'amount'))
  .map(([depth, shape]) => {
    if (shape === 'array') return `${'['.repeat(depth)}${']'.repeat(depth)}`
    if (shape === 'object') return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
    return `{"amount":${'['.repeat(depth)}1${']'.repeat(depth)}}`
  })
