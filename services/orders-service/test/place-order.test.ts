import { randomUUID } from 'node:crypto'
import { OrderCreated } from '@shop/contracts'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writtenCents } from '../../../tests/support/written-cents.ts'
import { countRows, type OrdersHarness, outboxRowsFor, startOrdersHarness } from './support/orders-harness.ts'

let harness: OrdersHarness

beforeAll(async () => {
  harness = await startOrdersHarness()
})

afterAll(async () => {
  await harness?.close()
})

const placeOrder = (userId: string | undefined, payload: unknown, raw = false) =>
  harness.app.inject({
    method: 'POST',
    url: '/orders',
    headers: {
      'content-type': 'application/json',
      ...(userId === undefined ? {} : { 'x-user-id': userId }),
    },
    payload: raw ? (payload as string) : JSON.stringify(payload),
  })

describe('POST /orders', () => {
  it('when the body is valid, then answers 201 with a NEW order and writes its order_created event to the outbox', async () => {
    const userId = randomUUID()

    const response = await placeOrder(userId, { amount: 150.25, description: 'two lamps' })

    expect(response.statusCode).toBe(201)
    const order = response.json()
    expect(order).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      user_id: userId,
      amount: 150.25,
      description: 'two lamps',
      status: 'NEW',
      refunded_amount: 0,
      created_at: expect.any(String),
    })
    expect(Number.isNaN(Date.parse(order.created_at))).toBe(false)

    // The event is what payments-service charges from: its amount must be the exact minor units.
    const rows = await outboxRowsFor(harness.pool, order.id)
    expect(rows).toHaveLength(1)
    const [row] = rows
    expect(row?.topic).toBe(harness.ordersTopic)
    expect(row?.message_key).toBe(order.id)
    expect(row?.published_at).toBeNull()
    const decoded = OrderCreated.decode(row?.value ?? '')
    expect(decoded.ok).toBe(true)
    if (!decoded.ok) return
    expect(decoded.event.payload).toEqual({ order_id: order.id, user_id: userId, amount_minor: 15025 })
  })

  it('when the request carries a traceparent, then the outbox row carries the same trace to payments-service', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c'

    const response = await harness.app.inject({
      method: 'POST',
      url: '/orders',
      headers: { 'x-user-id': randomUUID(), traceparent: `00-${traceId}-b7ad6b7169203331-01` },
      payload: { amount: 3 },
    })

    expect(response.statusCode).toBe(201)
    const { rows } = await harness.pool.query<{ headers: Record<string, string> }>(
      'SELECT headers FROM outbox WHERE message_key = $1',
      [response.json().id],
    )
    expect(rows[0]?.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`))
  })

  it('when the description is omitted, then the order has a null description', async () => {
    const response = await placeOrder(randomUUID(), { amount: 1 })

    expect(response.statusCode).toBe(201)
    expect(response.json()).toMatchObject({ amount: 1, description: null, status: 'NEW' })
  })

  it('when the amount is at the limits, then the smallest and the largest amounts are accepted exactly', async () => {
    const userId = randomUUID()
    const smallest = await placeOrder(userId, { amount: 0.01 })
    const largest = await placeOrder(userId, { amount: 1_000_000_000 })

    expect([smallest.statusCode, largest.statusCode]).toEqual([201, 201])
    const [small] = await outboxRowsFor(harness.pool, smallest.json().id)
    const [large] = await outboxRowsFor(harness.pool, largest.json().id)
    const minor = (value: string | undefined) => {
      const decoded = OrderCreated.decode(value ?? '')
      return decoded.ok ? decoded.event.payload.amount_minor : undefined
    }
    expect(minor(small?.value)).toBe(1)
    expect(minor(large?.value)).toBe(100_000_000_000)
  })

  it('when the X-User-Id is upper-case, then the order belongs to the lower-cased user', async () => {
    const userId = randomUUID()

    const response = await placeOrder(userId.toUpperCase(), { amount: 5 })

    expect(response.statusCode).toBe(201)
    expect(response.json().user_id).toBe(userId)
  })
})

describe('POST /orders, amounts as written', () => {
  it('when any whole number of cents is ordered, in any exact writing, then exactly those cents are stored and announced', async () => {
    await fc.assert(
      fc.asyncProperty(writtenCents({ min: 1 }), async ({ cents, text }) => {
        const response = await placeOrder(randomUUID(), `{"amount":${text}}`, true)

        expect(response.statusCode, `${text}: ${response.body}`).toBe(201)
        expect(response.json().amount).toBe(cents / 100)
        const { rows } = await harness.pool.query<{ amount_minor: string }>(
          'SELECT amount_minor::text FROM orders WHERE id = $1',
          [response.json().id],
        )
        expect(rows.map((row) => Number(row.amount_minor))).toEqual([cents])
        const [event] = await outboxRowsFor(harness.pool, response.json().id)
        const decoded = OrderCreated.decode(event?.value ?? '')
        expect(decoded.ok && decoded.event.payload.amount_minor).toBe(cents)
      }),
      { numRuns: 150 },
    )
  })
})

describe('POST /orders, rejected', () => {
  const rejections: [string, unknown][] = [
    ['the amount has 3 fraction digits', { amount: 1.234 }],
    ['the amount is a string', { amount: '10' }],
    ['the amount is zero', { amount: 0 }],
    ['the amount is negative', { amount: -5 }],
    ['the amount is over 1e9', { amount: 1_000_000_000.01 }],
    ['the amount is missing', { description: 'no amount' }],
    ['an unknown field is sent', { amount: 10, coupon: 'FREE' }],
    ['the description has 501 characters', { amount: 10, description: 'x'.repeat(501) }],
    ['the description holds a NUL character', { amount: 10, description: 'a\u0000b' }],
    ['the description is not a string', { amount: 10, description: 42 }],
  ]

  it.each(rejections)(
    'when %s, then answers 422 validation_failed and writes nothing',
    async (_case, body) => {
      const before = await countRows(harness.pool)

      const response = await placeOrder(randomUUID(), body)

      expect(response.statusCode).toBe(422)
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(response.json()).toMatchObject({ status: 422, code: 'validation_failed' })
      expect(await countRows(harness.pool)).toEqual(before)
    },
  )

  it('when the description has exactly 500 characters, then it is accepted (the limit is inclusive)', async () => {
    const response = await placeOrder(randomUUID(), { amount: 10, description: 'é'.repeat(500) })

    expect(response.statusCode).toBe(201)
    expect(response.json().description).toHaveLength(500)
  })

  it('when the JSON is malformed, then answers 400 malformed_json and writes nothing', async () => {
    const before = await countRows(harness.pool)

    const response = await placeOrder(randomUUID(), '{"amount": 10,', true)

    expect(response.statusCode).toBe(400)
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(response.json()).toMatchObject({ status: 400, code: 'malformed_json' })
    expect(await countRows(harness.pool)).toEqual(before)
  })

  /** Requests refused for how they are sent: the bytes, the media type, the coding, the query. */
  const refusedAsSent: {
    name: string
    raw: string
    status: number
    code: string
    headers?: Record<string, string>
    url?: string
  }[] = [
    {
      name: 'the amount is given twice',
      raw: '{"amount":1,"amount":1000000}',
      status: 400,
      code: 'duplicate_json_key',
    },
    {
      name: 'the description is given twice',
      raw: '{"amount":1,"description":"a","description":"b"}',
      status: 400,
      code: 'duplicate_json_key',
    },
    {
      name: 'the amount is 25.000000000000000001 (a double reads 25)',
      raw: '{"amount":25.000000000000000001}',
      status: 422,
      code: 'validation_failed',
    },
    {
      name: 'the amount is 25.001 as written',
      raw: '{"amount":25.001}',
      status: 422,
      code: 'validation_failed',
    },
    { name: 'the amount is 1e-400', raw: '{"amount":1e-400}', status: 422, code: 'validation_failed' },
    { name: 'the amount is 1e400', raw: '{"amount":1e400}', status: 422, code: 'validation_failed' },
    {
      name: 'the body smuggles __proto__',
      raw: '{"amount":1,"__proto__":{"amount":1000}}',
      status: 400,
      code: 'malformed_json',
    },
    {
      name: 'the body is sent as text/plain',
      raw: '{"amount":1}',
      headers: { 'content-type': 'text/plain' },
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      name: 'the body is declared latin1',
      raw: '{"amount":1,"description":"caf\u00e9"}',
      headers: { 'content-type': 'application/json; charset=latin1' },
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      name: 'the body is declared gzip-encoded',
      raw: '{"amount":1}',
      headers: { 'content-encoding': 'gzip' },
      status: 415,
      code: 'unsupported_content_encoding',
    },
    {
      name: 'the query has a parameter',
      raw: '{"amount":1}',
      url: '/orders?amount=1000',
      status: 400,
      code: 'invalid_query',
    },
  ]

  it.each(refusedAsSent)(
    'when $name, then answers $status $code and writes nothing',
    async ({ raw, status, code, headers, url }) => {
      const before = await countRows(harness.pool)

      const response = await harness.app.inject({
        method: 'POST',
        url: url ?? '/orders',
        headers: { 'x-user-id': randomUUID(), 'content-type': 'application/json', ...headers },
        payload: raw,
      })

      expect(response.statusCode, response.body).toBe(status)
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(response.json()).toMatchObject({ status, code })
      expect(await countRows(harness.pool)).toEqual(before)
    },
  )

  it.each([
    ['DELETE', '/orders', 'GET, HEAD, POST'],
    ['PUT', '/orders', 'GET, HEAD, POST'],
    ['OPTIONS', '/orders', 'GET, HEAD, POST'],
    ['DELETE', `/orders/${randomUUID()}`, 'GET, HEAD'],
    ['POST', `/orders/${randomUUID()}`, 'GET, HEAD'],
  ] as const)(
    'when %s %s is asked for, then answers 405 with Allow: %s and writes nothing',
    async (method, url, allow) => {
      const before = await countRows(harness.pool)

      const response = await harness.app.inject({
        method,
        url,
        headers: { 'x-user-id': randomUUID(), 'content-type': 'application/json' },
        payload: '{"amount":1}',
      })

      expect(response.statusCode).toBe(405)
      expect(response.headers.allow).toBe(allow)
      expect(response.json()).toMatchObject({ status: 405, code: 'method_not_allowed' })
      expect(await countRows(harness.pool)).toEqual(before)
    },
  )

  it.each([
    ['missing', 'missing_user_id', undefined],
    ['not a UUID', 'invalid_user_id', 'user-42'],
    ['a UUID with a urn prefix', 'invalid_user_id', `urn:uuid:${randomUUID()}`],
  ])('when X-User-Id is %s, then answers 400 %s and writes nothing', async (_case, code, userId) => {
    const before = await countRows(harness.pool)

    const response = await placeOrder(userId, { amount: 10 })

    expect(response.statusCode).toBe(400)
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(response.json()).toMatchObject({ status: 400, code })
    expect(await countRows(harness.pool)).toEqual(before)
  })
})
