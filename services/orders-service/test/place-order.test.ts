import { randomUUID } from 'node:crypto'
import { OrderCreated } from '@shop/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
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
