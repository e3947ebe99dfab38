import fc from 'fast-check'
import type { Endpoint } from './endpoints.ts'
import {
  deepNesting,
  hostileString,
  jsonString,
  jsonText,
  notJsonNumber,
  numberToken,
} from './hostile-values.ts'
import type { RawRequest } from './raw-http.ts'

/** Users and an order that exist before the properties run, so requests hit real rows too. */
export interface Seeded {
  /** An account with money and one paid order. */
  rich: string
  /** An account with a balance of 0. */
  broke: string
  /** No account at all. */
  nobody: string
  richOrder: { id: string; amount: number }
}

export const BODY_LIMIT = 64 * 1024

/** `arbitrary` in one draw out of `n`, undefined otherwise: most requests get each mistake rarely. */
const oneIn = <T>(n: number, arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: n - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary })

/** Any byte a header value may carry on the wire (node:http refuses the rest: CR, LF, NUL …). */
const headerChar = fc.mapToConstant(
  { num: 95, build: (offset) => String.fromCharCode(0x20 + offset) },
  { num: 128, build: (offset) => String.fromCharCode(0x80 + offset) },
  { num: 1, build: () => '\t' },
)
const headerText = (maxLength: number) => fc.string({ unit: headerChar, maxLength })

/** X-User-Id as clients get it wrong: missing, empty, duplicated, overlong, padded, not a UUID. */
export const userIdHeader = (seeded: Seeded): fc.Arbitrary<string | string[] | undefined> => {
  const known = fc.constantFrom(seeded.rich, seeded.broke, seeded.nobody)
  const valid = fc.oneof(known, fc.uuid())
  return fc.oneof(
    { weight: 20, arbitrary: valid },
    { weight: 2, arbitrary: valid.map((id) => id.toUpperCase()) },
    { weight: 1, arbitrary: valid.map((id) => ` \t${id}\t `) },
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', 'null', '00000000-0000-0000-0000-000000000000') },
    { weight: 2, arbitrary: fc.tuple(valid, fc.oneof(valid, fc.constant(''))).map(([a, b]) => [a, b]) },
    {
      weight: 1,
      arbitrary: fc.tuple(valid, fc.constantFrom(1, 64, 1_000, 8_000)).map(([id, n]) => id + 'a'.repeat(n)),
    },
    { weight: 1, arbitrary: valid.map((id) => `{${id}}`) },
    { weight: 1, arbitrary: valid.map((id) => `urn:uuid:${id}`) },
    { weight: 2, arbitrary: headerText(60) },
  )
}

const CONTENT_TYPES = [
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json;charset=UTF-8',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/json;',
  'application/json ; foo=bar',
  'application/problem+json',
  'application/json-patch+json',
  'application/jsonx',
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  '*/*',
  '',
  ';',
  'application/',
]

/** Content-Type: mostly right, often odd, sometimes missing. */
const contentTypeHeader: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 12, arbitrary: fc.constant('application/json') },
  { weight: 3, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
  { weight: 1, arbitrary: headerText(40) },
  { weight: 1, arbitrary: fc.constant(undefined) },
)

/** Headers a client may add that the edge must not trip over. */
const extraHeaders: fc.Arbitrary<Record<string, string>> = fc.record(
  {
    traceparent: fc.oneof(
      headerText(60),
      fc.constant('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'),
      fc.constant('ff-00000000000000000000000000000000-0000000000000000-00'),
    ),
    'x-request-id': fc.oneof(headerText(40), fc.constant('x'.repeat(200))),
    'idempotency-key': fc.oneof(headerText(20), fc.uuid(), fc.constant('k'.repeat(300))),
    accept: fc.constantFrom('*/*', 'text/html', 'application/xml', 'application/problem+json', ''),
    'content-encoding': fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom('identity', 'IDENTITY', '') },
      fc.constantFrom('gzip', 'br', 'deflate, gzip'),
    ),
    'accept-encoding': fc.constantFrom('gzip', 'br, deflate', 'identity;q=0', '*'),
    // Padding that takes the header block to around Node's 16 KiB limit, on either side of it.
    'x-padding': fc.oneof(
      { weight: 3, arbitrary: fc.constant('p') },
      fc.integer({ min: 15_000, max: 16_500 }).map((bytes) => 'p'.repeat(bytes)),
    ),
  },
  { requiredKeys: [] },
)

/** A value for one body field, as raw JSON text: right, nearly right or nonsense. */
const fieldValue = (field: string, seeded: Seeded): fc.Arbitrary<string> => {
  switch (field) {
    case 'amount':
    case 'initial_balance':
      return fc.oneof(
        { weight: 6, arbitrary: numberToken },
        { weight: 1, arbitrary: notJsonNumber },
        jsonText,
      )
    case 'order_id':
      return fc.oneof(
        jsonString(fc.uuid()),
        jsonString(fc.constant(seeded.richOrder.id)),
        jsonString(fc.uuid().map((id) => id.toUpperCase())),
        jsonString(hostileString),
        jsonText,
      )
    default:
      return fc.oneof({ weight: 3, arbitrary: jsonString(hostileString) }, jsonText)
  }
}

/** A value the contract accepts for the field, in the many ways a client may write it. */
const validValue = (field: string): fc.Arbitrary<string> => {
  switch (field) {
    case 'amount':
    case 'initial_balance':
      return fc.oneof(
        fc.integer({ min: 1, max: 100_000 }).map((cents) => (cents / 100).toString()),
        fc.constantFrom('1e2', '2.5e1', '100.50', '1000000000', '0.01', '1E0', '0.07', '2500e-2', '1.150'),
      )
    case 'order_id':
      return jsonString(fc.uuid())
    default:
      return jsonString(hostileString.filter((text) => text.length <= 500))
  }
}

/** A body the contract accepts: what lets the properties reach the services' writes, and 2xx. */
const validBody = (endpoint: Endpoint): fc.Arbitrary<string> =>
  fc
    .tuple(...endpoint.fields.map((field) => validValue(field)))
    .map(
      (values) =>
        `{${endpoint.fields.map((field, index) => `${JSON.stringify(field)}:${values[index]}`).join(',')}}`,
    )

/** An object with the endpoint's own fields (each maybe absent), maybe a stranger, maybe a duplicate. */
const shapedBody = (endpoint: Endpoint, seeded: Seeded): fc.Arbitrary<string> => {
  const fields = endpoint.fields.length > 0 ? endpoint.fields : ['amount']
  return fc
    .tuple(
      // Each field is left out one time in four.
      fc.tuple(...fields.map((field) => fc.option(fieldValue(field, seeded), { freq: 4, nil: undefined }))),
      fc.array(fc.tuple(fc.string({ maxLength: 10 }), jsonText), { maxLength: 2 }),
      oneIn(5, fc.constantFrom(...fields)),
      jsonText,
    )
    .map(([values, strangers, duplicated, duplicateValue]) => {
      const entries = fields.flatMap((field, index) =>
        values[index] === undefined ? [] : [`${JSON.stringify(field)}:${values[index]}`],
      )
      for (const [key, value] of strangers) entries.push(`${JSON.stringify(key)}:${value}`)
      if (duplicated) entries.push(`${JSON.stringify(duplicated)}:${duplicateValue}`)
      return `{${entries.join(',')}}`
    })
}

/** A well-formed body of exactly `size` bytes, around and above the 64 KiB limit. */
const sizedBody: fc.Arbitrary<string> = fc
  .oneof(
    fc.constantFrom(BODY_LIMIT - 1, BODY_LIMIT, BODY_LIMIT + 1, 2 * BODY_LIMIT, 1024 * 1024),
    fc.integer({ min: BODY_LIMIT - 64, max: BODY_LIMIT + 64 }),
  )
  .map((size) => {
    const frame = '{"amount":1,"description":""}'
    return `{"amount":1,"description":"${'d'.repeat(Math.max(0, size - frame.length))}"}`
  })

/** JSON text of a body: shaped like the endpoint's, any JSON, broken JSON, deep, huge or empty. */
const bodyText = (endpoint: Endpoint, seeded: Seeded): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 8, arbitrary: shapedBody(endpoint, seeded) },
    { weight: 4, arbitrary: validBody(endpoint) },
    { weight: 3, arbitrary: jsonText },
    {
      weight: 2,
      arbitrary: fc
        .tuple(shapedBody(endpoint, seeded), fc.nat())
        .map(([text, cut]) => text.slice(0, cut % Math.max(1, text.length))),
    },
    { weight: 1, arbitrary: deepNesting },
    { weight: 1, arbitrary: sizedBody },
    {
      weight: 1,
      arbitrary: fc.constantFrom('', ' ', '\n', 'null', '[]', '{}', '"', '{"amount":1}{"amount":2}'),
    },
  )

/** Bytes that are not UTF-8: an overlong NUL, a CESU-8 surrogate, stray continuation bytes. */
const INVALID_UTF8 = [[0xc0, 0x80], [0xed, 0xa0, 0x80], [0xff], [0x80, 0x80], [0xf4, 0x90, 0x80, 0x80]]

const bodyBytes = (endpoint: Endpoint, seeded: Seeded): fc.Arbitrary<Buffer> =>
  fc
    .tuple(bodyText(endpoint, seeded), oneIn(8, fc.tuple(fc.constantFrom(...INVALID_UTF8), fc.nat())))
    .map(([text, broken]) => {
      const bytes = Buffer.from(text, 'utf8')
      if (!broken) return bytes
      const [bad, at] = broken
      const cut = at % (bytes.length + 1)
      return Buffer.concat([bytes.subarray(0, cut), Buffer.from(bad), bytes.subarray(cut)])
    })

const QUERY_VALUES = [
  '',
  '0',
  '1',
  '5',
  '1000',
  '1001',
  '10000',
  '-1',
  '1e2',
  '01',
  '+1',
  '%201',
  'abc',
  '%',
  '%zz',
  '%00',
  '1%00',
]

/** A query string: limit in all its wrong forms, repeated keys, bracket keys, prototype keys. */
const queryString: fc.Arbitrary<string> = fc
  .array(
    fc.tuple(
      fc.oneof(
        { weight: 4, arbitrary: fc.constant('limit') },
        {
          weight: 1,
          arbitrary: fc.constantFrom('limit[]', 'limit[a]', '__proto__', 'constructor[prototype]', 'LIMIT'),
        },
        { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 8 }).map(encodeURIComponent) },
      ),
      fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...QUERY_VALUES) },
        {
          weight: 1,
          arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 12 }).map(encodeURIComponent),
        },
        { weight: 1, arbitrary: fc.constant('9'.repeat(2_000)) },
      ),
    ),
    { minLength: 1, maxLength: 3 },
  )
  .map((pairs) => `?${pairs.map(([key, value]) => `${key}=${value}`).join('&')}`)

/** Percent-encodes the UTF-8 bytes of any string, lone surrogates included (encodeURIComponent throws on them). */
const percentEncoded = (text: string) =>
  [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('')

/** The order id of GET /orders/{id}: an existing one, a stranger's, malformed, encoded, huge. */
const orderIdSegment = (seeded: Seeded): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant(seeded.richOrder.id) },
    { weight: 2, arbitrary: fc.constant(seeded.richOrder.id.toUpperCase()) },
    { weight: 3, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: hostileString.map((text) => percentEncoded(text.slice(0, 2_000))) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('%', '%zz', '%00', '%2F', '..', '.', '%2e%2e', 'null', 'undefined'),
    },
    { weight: 1, arbitrary: fc.constant(seeded.richOrder.id).map((id) => `${id}%00`) },
    { weight: 1, arbitrary: fc.constantFrom(100, 5_000, 20_000).map((n) => 'a'.repeat(n)) },
  )

/** The path: mostly canonical, sometimes with a query, sometimes bent out of shape. */
const pathFor = (endpoint: Endpoint, seeded: Seeded): fc.Arbitrary<string> =>
  fc
    .tuple(
      orderIdSegment(seeded),
      oneIn(3, queryString),
      oneIn(
        5,
        fc.constantFrom(
          (path: string) => `${path}/`,
          (path: string) => `/${path}`,
          (path: string) => path.toUpperCase(),
          (path: string) => path.replace('o', '%6F'),
          (path: string) => path.replace('/', '/./'),
          (path: string) => `/x/..${path}`,
          (path: string) => `${path};a=b`,
          (path: string) => `${path}%00`,
          (path: string) => `${path}#frag`,
          (path: string) => `${path}/${'%'}`,
        ),
      ),
    )
    .map(([orderId, query, bend]) => {
      const path = endpoint.path(orderId)
      return `${bend ? bend(path) : path}${query ?? ''}`
    })

const OTHER_METHODS = ['HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'GET', 'POST']

interface Parts {
  method: string
  path: string
  userId: string | string[] | undefined
  contentType: string | undefined
  extra: Record<string, string>
  body: Buffer | undefined
}

/** A request the contract accepts: each part as a careful client sends it. */
const cleanParts = (endpoint: Endpoint, seeded: Seeded): fc.Arbitrary<Parts> =>
  fc.record({
    method: fc.constant(endpoint.method),
    path: fc.constant(endpoint.path(seeded.richOrder.id)),
    userId: fc.oneof(fc.constantFrom(seeded.rich, seeded.broke, seeded.nobody), fc.uuid()),
    contentType: fc.constant('application/json'),
    extra: fc.constant({}),
    body:
      endpoint.method === 'POST'
        ? validBody(endpoint).map((text) => Buffer.from(text, 'utf8'))
        : fc.constant(undefined),
  })

/** Each part of a request drawn from its own hostile space. */
const hostileParts = (endpoint: Endpoint, seeded: Seeded): fc.Arbitrary<Parts> =>
  fc.record({
    method: fc.oneof(
      { weight: 3, arbitrary: fc.constant(endpoint.method) },
      fc.constantFrom(...OTHER_METHODS),
    ),
    path: pathFor(endpoint, seeded),
    userId: userIdHeader(seeded),
    contentType: contentTypeHeader,
    extra: extraHeaders,
    // A POST nearly always has a body; a GET sometimes has one too, which must not matter.
    body: fc.oneof(
      { weight: endpoint.method === 'POST' ? 1 : 3, arbitrary: fc.constant(undefined) },
      { weight: endpoint.method === 'POST' ? 12 : 1, arbitrary: bodyBytes(endpoint, seeded) },
    ),
  })

const PARTS = ['method', 'path', 'userId', 'contentType', 'extra', 'body'] as const

/**
 * A request to `endpoint`: clean but for one hostile part (so each kind of mistake meets code that
 * got past the others), hostile in every part, or entirely clean (so the writes and 2xx are
 * exercised too, and a rejection can be told from a success).
 */
export const requestTo = (endpoint: Endpoint, seeded: Seeded): fc.Arbitrary<RawRequest> =>
  fc
    .tuple(
      cleanParts(endpoint, seeded),
      hostileParts(endpoint, seeded),
      fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(...PARTS) },
        { weight: 2, arbitrary: fc.constant('all' as const) },
        { weight: 1, arbitrary: fc.constant('none' as const) },
      ),
    )
    .map(([clean, hostile, focus]) => {
      const parts =
        focus === 'all' ? hostile : focus === 'none' ? clean : { ...clean, [focus]: hostile[focus] }
      const { method, path, userId, contentType, extra, body } = parts
      return {
        method,
        path,
        headers: {
          ...extra,
          ...(userId === undefined ? {} : { 'x-user-id': userId }),
          ...(contentType === undefined || body === undefined ? {} : { 'content-type': contentType }),
        },
        ...(body === undefined ? {} : { body }),
      }
    })
