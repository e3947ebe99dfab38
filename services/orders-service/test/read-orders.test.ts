import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type OrdersHarness, startOrdersHarness } from './support/orders-harness.ts'

let harness: OrdersHarness

beforeAll(async () => {
  harness = await startOrdersHarness()
})

afterAll(async () => {
  await harness?.close()
})

const get = (url: string, userId?: string) =>
  harness.app.inject({ method: 'GET', url, headers: userId ? { 'x-user-id': userId } : {} })

async function placeOrders(userId: string, amounts: number[]): Promise<string[]> {
  const ids: string[] = []
  // One at a time, so created_at gives them a known order.
  for (const amount of amounts) ids.push(await harness.placeOrder(userId, amount))
  return ids
}

describe('GET /orders', () => {
  it('when a user has orders, then lists only theirs, newest first', async () => {
    const userId = randomUUID()
    const ids = await placeOrders(userId, [1, 2, 3])
    await placeOrders(randomUUID(), [4])

    const response = await get('/orders', userId)

    expect(response.statusCode).toBe(200)
    const orders = response.json() as { id: string; user_id: string; amount: number }[]
    expect(orders.map((order) => order.id)).toEqual([...ids].reverse())
    expect(orders.map((order) => order.amount)).toEqual([3, 2, 1])
    expect(orders.every((order) => order.user_id === userId)).toBe(true)
  })

  it('when a user has no orders, then answers an empty list', async () => {
    const response = await get('/orders', randomUUID())

    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual([])
  })

  it('when limit is given, then returns at most that many of the newest orders', async () => {
    const userId = randomUUID()
    const ids = await placeOrders(userId, [1, 2, 3])

    const one = await get('/orders?limit=1', userId)
    const all = await get('/orders?limit=1000', userId)

    expect(one.statusCode).toBe(200)
    expect(one.json().map((order: { id: string }) => order.id)).toEqual([ids[2]])
    expect(all.json()).toHaveLength(3)
  })

  it('when limit is omitted, then at most 100 orders come back', async () => {
    const userId = randomUUID()
    // Inserted directly: 101 orders through HTTP would only slow the suite down.
    await harness.pool.query(
      `INSERT INTO orders (id, user_id, amount_minor, created_at)
       SELECT gen_random_uuid(), $1, 100, now() - make_interval(secs => n) FROM generate_series(1, 101) AS n`,
      [userId],
    )

    const response = await get('/orders', userId)

    expect(response.statusCode).toBe(200)
    expect(response.json()).toHaveLength(100)
  })

  it.each(['0', '1001', 'abc', '-1', '1.5', ''])(
    'when limit is "%s", then answers 400 invalid_query',
    async (limit) => {
      const response = await get(`/orders?limit=${limit}`, randomUUID())

      expect(response.statusCode).toBe(400)
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(response.json()).toMatchObject({ status: 400, code: 'invalid_query' })
    },
  )

  it.each(['foo=1', 'limit=5&foo=1', 'LIMIT=5', 'limit[]=5', '__proto__=1', 'user_id=x'])(
    'when the query has an unknown parameter (%s), then answers 400 invalid_query naming it',
    async (query) => {
      const userId = randomUUID()
      await placeOrders(userId, [1])

      const response = await get(`/orders?${query}`, userId)

      expect(response.statusCode).toBe(400)
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(response.json()).toMatchObject({ status: 400, code: 'invalid_query' })
      expect(response.json().errors).toEqual([
        { field: expect.stringMatching(/^\//), message: expect.any(String) },
      ])
    },
  )

  it('when X-User-Id is missing, then answers 400 missing_user_id', async () => {
    const response = await get('/orders')

    expect(response.statusCode).toBe(400)
    expect(response.json()).toMatchObject({ code: 'missing_user_id' })
  })
})

describe('GET /orders/{order_id}', () => {
  it('when the order is the user’s, then answers 200 with it, without a reason while NEW', async () => {
    const userId = randomUUID()
    const [orderId] = await placeOrders(userId, [12.5])

    const response = await get(`/orders/${orderId}`, userId)

    expect(response.statusCode).toBe(200)
    const order = response.json()
    expect(order).toMatchObject({ id: orderId, user_id: userId, amount: 12.5, status: 'NEW' })
    expect(order).not.toHaveProperty('reason')
  })

  it('when the order id is sent in upper case, then the same order is found', async () => {
    const userId = randomUUID()
    const [orderId] = await placeOrders(userId, [7])

    const response = await get(`/orders/${orderId?.toUpperCase()}`, userId)

    expect(response.statusCode).toBe(200)
    expect(response.json().id).toBe(orderId)
  })

  it('when the order was cancelled, then the answer carries its status and reason', async () => {
    const userId = randomUUID()
    const [orderId] = await placeOrders(userId, [9])
    // The consumer's effect, applied directly: this test is about the read side.
    await harness.pool.query(
      `UPDATE orders SET status = 'CANCELLED', reason = 'insufficient_funds' WHERE id = $1`,
      [orderId],
    )

    const response = await get(`/orders/${orderId}`, userId)

    expect(response.json()).toMatchObject({ id: orderId, status: 'CANCELLED', reason: 'insufficient_funds' })
  })

  it('when the order belongs to another user, then answers 404 order_not_found, not 403', async () => {
    const [orderId] = await placeOrders(randomUUID(), [3])

    const response = await get(`/orders/${orderId}`, randomUUID())

    expect(response.statusCode).toBe(404)
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(response.json()).toMatchObject({ status: 404, code: 'order_not_found' })
  })

  it('when no order has the id, then answers 404 order_not_found', async () => {
    const response = await get(`/orders/${randomUUID()}`, randomUUID())

    expect(response.statusCode).toBe(404)
    expect(response.json()).toMatchObject({ code: 'order_not_found' })
  })

  it('when the query has any parameter, then answers 400 invalid_query: the route takes none', async () => {
    const userId = randomUUID()
    const [orderId] = await placeOrders(userId, [4])

    const response = await get(`/orders/${orderId}?fields=all`, userId)

    expect(response.statusCode).toBe(400)
    expect(response.json()).toMatchObject({ status: 400, code: 'invalid_query' })
    expect(response.json().errors).toEqual([{ field: '/fields', message: expect.any(String) }])
  })

  it.each([
    ['not a UUID', 'not-a-uuid'],
    ['a number', '12345'],
    ['a UUID with trailing text', `${randomUUID()}x`],
  ])('when the order id is %s, then answers 400 invalid_path_parameter', async (_case, orderId) => {
    const response = await get(`/orders/${orderId}`, randomUUID())

    expect(response.statusCode).toBe(400)
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(response.json()).toMatchObject({ status: 400, code: 'invalid_path_parameter' })
  })
})
