import { randomUUID } from 'node:crypto'
import type { InjectOptions } from 'fastify'

export type Route =
  | 'POST /accounts'
  | 'POST /accounts/topup'
  | 'POST /accounts/charge'
  | 'GET /accounts/balance'

export interface BadRequest {
  name: string
  route: Route
  /** Sent as JSON by inject. */
  body?: unknown
  /** Sent byte for byte instead, as application/json unless `contentType` says otherwise. */
  raw?: string
  contentType?: string
  /** Appended to the route's path, `?` included. */
  query?: string
  /** More request headers, such as Content-Encoding. */
  headers?: Record<string, string>
  /** Replaces the caller's X-User-Id; null leaves the header out. */
  userIdHeader?: string | null
  status: number
  code: string
}

const invalid = (route: Route, name: string, body?: unknown): BadRequest => ({
  name,
  route,
  body,
  status: 422,
  code: 'validation_failed',
})

const malformed = (route: Route, name: string, raw: string): BadRequest => ({
  name,
  route,
  raw,
  status: 400,
  code: 'malformed_json',
})

/** JSON text whose numbers are sent as written, not as JSON.stringify would write them. */
const written = (route: Route, name: string, raw: string): BadRequest => ({
  ...invalid(route, name),
  raw,
})

const duplicated = (route: Route, name: string, raw: string): BadRequest => ({
  name,
  route,
  raw,
  status: 400,
  code: 'duplicate_json_key',
})

const unsupported = (route: Route, name: string, contentType: string): BadRequest => ({
  name,
  route,
  raw: JSON.stringify(validBodyOf(route)),
  contentType,
  status: 415,
  code: 'unsupported_media_type',
})

const withQuery = (route: Route, name: string, query: string): BadRequest => ({
  name,
  route,
  ...(route === 'GET /accounts/balance' ? {} : { body: validBodyOf(route) }),
  query,
  status: 400,
  code: 'invalid_query',
})

const withUserId = (route: Route, name: string, header: string | null, code: string): BadRequest => ({
  name,
  route,
  ...(route === 'GET /accounts/balance' ? {} : { body: validBodyOf(route) }),
  userIdHeader: header,
  status: 400,
  code,
})

/** A body the route would accept, so that only the header can be at fault. */
function validBodyOf(route: Route) {
  if (route === 'POST /accounts') return { initial_balance: 1 }
  return route === 'POST /accounts/charge' ? { order_id: randomUUID(), amount: 1 } : { amount: 1 }
}

const order = () => randomUUID()
const OPEN = 'POST /accounts'
const TOP_UP = 'POST /accounts/topup'
const CHARGE = 'POST /accounts/charge'
const BALANCE = 'GET /accounts/balance'

/** Requests the service must refuse with a 4xx problem, without storing anything. */
export const badRequests: BadRequest[] = [
  invalid(OPEN, 'a negative initial_balance', { initial_balance: -1 }),
  invalid(OPEN, 'an initial_balance with 3 fraction digits', { initial_balance: 1.005 }),
  invalid(OPEN, 'an initial_balance over 1,000,000,000.00', { initial_balance: 1_000_000_000.01 }),
  invalid(OPEN, 'an initial_balance as a string', { initial_balance: '10' }),
  invalid(OPEN, 'a null initial_balance', { initial_balance: null }),
  invalid(OPEN, 'an unknown field on open', { initial_balance: 1, currency: 'EUR' }),
  invalid(OPEN, 'a JSON array as the open body', []),
  { ...invalid(OPEN, 'a JSON string as the open body'), raw: '"hello"' },
  { ...invalid(OPEN, 'a JSON null as the open body'), raw: 'null' },
  malformed(OPEN, 'malformed JSON on open', '{"initial_balance": '),
  invalid(TOP_UP, 'a zero top-up', { amount: 0 }),
  invalid(TOP_UP, 'a negative top-up', { amount: -5 }),
  invalid(TOP_UP, 'a top-up with 3 fraction digits', { amount: 0.001 }),
  invalid(TOP_UP, 'a top-up of 0.1 + 0.2 (not a 2-digit decimal)', { amount: 0.1 + 0.2 }),
  invalid(TOP_UP, 'a top-up over 1,000,000,000.00', { amount: 1_000_000_000.01 }),
  invalid(TOP_UP, 'a top-up of 1e308', { amount: 1e308 }),
  invalid(TOP_UP, 'a top-up amount as a string', { amount: '10' }),
  invalid(TOP_UP, 'a top-up amount as a boolean', { amount: true }),
  invalid(TOP_UP, 'a null top-up amount', { amount: null }),
  invalid(TOP_UP, 'a top-up without amount', {}),
  invalid(TOP_UP, 'a top-up without a body'),
  invalid(TOP_UP, 'an unknown field on top-up', { amount: 1, note: 'x' }),
  malformed(TOP_UP, 'malformed JSON on top-up', '{amount: 1}'),
  // An empty body sent as JSON is no body: for a top-up, a body that is missing.
  { ...invalid(TOP_UP, 'an empty JSON body on top-up'), raw: '' },
  unsupported(TOP_UP, 'a top-up sent as text/plain', 'text/plain'),
  unsupported(TOP_UP, 'a top-up in latin1', 'application/json; charset=latin1'),
  unsupported(CHARGE, 'a charge in UTF-16', 'application/json; charset=utf-16'),
  unsupported(OPEN, 'an open sent as text/plain', 'text/plain;charset=utf-8'),
  {
    name: 'a gzip-encoded top-up',
    route: TOP_UP,
    raw: '{"amount": 1}',
    headers: { 'content-encoding': 'gzip' },
    status: 415,
    code: 'unsupported_content_encoding',
  },
  written(
    TOP_UP,
    'a top-up of 25.000000000000000001 (read as 25 by a double)',
    '{"amount":25.000000000000000001}',
  ),
  written(TOP_UP, 'a top-up of 0.1000000000000000000001', '{"amount":0.1000000000000000000001}'),
  written(TOP_UP, 'a top-up of 25.001 as written', '{"amount":25.001}'),
  written(TOP_UP, 'a top-up of 1e400', '{"amount":1e400}'),
  written(OPEN, 'an initial_balance of 1e-400 (read as 0 by a double)', '{"initial_balance":1e-400}'),
  written(OPEN, 'an initial_balance of 1e400', '{"initial_balance":1e400}'),
  written(
    OPEN,
    'an initial_balance of 0.000000000000000000001',
    '{"initial_balance":0.000000000000000000001}',
  ),
  written(
    CHARGE,
    'a charge of 1.0000000000000000001',
    `{"order_id":"${order()}","amount":1.0000000000000000001}`,
  ),
  duplicated(TOP_UP, 'a top-up whose amount is given twice', '{"amount":1,"amount":1000000}'),
  duplicated(TOP_UP, 'a top-up whose amount is given twice alike', '{"amount":1,"amount":1}'),
  duplicated(
    OPEN,
    'an open whose initial_balance is given twice',
    '{"initial_balance":0,"initial_balance":500}',
  ),
  duplicated(
    CHARGE,
    'a charge whose order_id is given twice',
    `{"order_id":"${order()}","amount":1,"order_id":"${order()}"}`,
  ),
  malformed(TOP_UP, 'a top-up smuggling __proto__', '{"amount":1,"__proto__":{"amount":1000}}'),
  withQuery(BALANCE, 'a balance with an unknown query parameter', '?x=1'),
  withQuery(BALANCE, 'a balance with a user_id in the query', `?user_id=${order()}`),
  withQuery(TOP_UP, 'a top-up with a query', '?amount=1000'),
  withQuery(OPEN, 'an open with a query', '?initial_balance=1000'),
  withQuery(CHARGE, 'a charge with an empty query parameter', '?dry_run'),
  { ...unsupported(TOP_UP, 'a top-up sent as XML', 'application/xml'), raw: '<amount>1</amount>' },
  {
    name: 'a top-up body over 64 KiB',
    route: TOP_UP,
    raw: `{"amount": 1, "pad": "${'x'.repeat(70_000)}"}`,
    status: 413,
    code: 'payload_too_large',
  },
  invalid(CHARGE, 'a charge whose order_id is not a UUID', { order_id: 'order-1', amount: 1 }),
  invalid(CHARGE, 'a charge with a urn:uuid: order_id', { order_id: `urn:uuid:${order()}`, amount: 1 }),
  invalid(CHARGE, 'a charge with a numeric order_id', { order_id: 42, amount: 1 }),
  invalid(CHARGE, 'a charge without order_id', { amount: 1 }),
  invalid(CHARGE, 'a charge without amount', { order_id: order() }),
  invalid(CHARGE, 'a charge with 3 fraction digits', { order_id: order(), amount: 1.001 }),
  invalid(CHARGE, 'a charge amount as a string', { order_id: order(), amount: '1' }),
  invalid(CHARGE, 'a zero charge', { order_id: order(), amount: 0 }),
  invalid(CHARGE, 'a negative charge', { order_id: order(), amount: -1 }),
  invalid(CHARGE, 'a charge over 1,000,000,000.00', { order_id: order(), amount: 1_000_000_001 }),
  invalid(CHARGE, 'an unknown field on charge', { order_id: order(), amount: 1, user_id: randomUUID() }),
  malformed(CHARGE, 'malformed JSON on charge', `{"order_id": "${order()}", "amount": 1,}`),
  withUserId(CHARGE, 'a charge without X-User-Id', null, 'missing_user_id'),
  withUserId(CHARGE, 'a charge with a malformed X-User-Id', 'user-1', 'invalid_user_id'),
  withUserId(OPEN, 'an open without X-User-Id', null, 'missing_user_id'),
  withUserId(OPEN, 'an open with an empty X-User-Id', '', 'invalid_user_id'),
  withUserId(TOP_UP, 'a top-up with a malformed X-User-Id', `${randomUUID()}x`, 'invalid_user_id'),
  withUserId(TOP_UP, 'a top-up without X-User-Id', null, 'missing_user_id'),
  withUserId(BALANCE, 'a balance without X-User-Id', null, 'missing_user_id'),
  withUserId(BALANCE, 'a balance with two ids in X-User-Id', `${order()}, ${order()}`, 'invalid_user_id'),
]

export function requestFor(testCase: BadRequest, userId: string): InjectOptions {
  const [method, path] = testCase.route.split(' ') as ['GET' | 'POST', string]
  const url = `${path}${testCase.query ?? ''}`
  const headers: Record<string, string> = { ...testCase.headers }
  const userIdHeader = testCase.userIdHeader === undefined ? userId : testCase.userIdHeader
  if (userIdHeader !== null) headers['x-user-id'] = userIdHeader
  if (testCase.raw !== undefined) {
    headers['content-type'] = testCase.contentType ?? 'application/json'
    return { method, url, headers, payload: testCase.raw }
  }
  return {
    method,
    url,
    headers,
    ...(testCase.body === undefined ? {} : { payload: testCase.body as object }),
  }
}
