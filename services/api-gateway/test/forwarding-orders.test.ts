import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { useGatewayOverRealUpstreams } from './support/gateway.ts'

const shop = useGatewayOverRealUpstreams()

const placeOrder = (userId: string, payload: unknown) =>
  shop.gateway.inject({
    method: 'POST',
    url: '/orders',
    headers: { 'x-user-id': userId, 'content-type': 'application/json' },
    payload: JSON.stringify(payload),
  })

const get = (url: string, userId: string) =>
  shop.gateway.inject({ method: 'GET', url, headers: { 'x-user-id': userId } })

/** The same GET sent straight to orders-service: the gateway's answer must equal it. */
const direct = async (url: string, userId: string) => {
  const response = await fetch(new URL(url, shop.upstreams.ordersUrl), { headers: { 'x-user-id': userId } })
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: await response.json(),
  }
}

describe('gateway → orders-service', () => {
  it('when an order is placed, then 201 with the NEW order comes back', async () => {
    const userId = randomUUID()

    const response = await placeOrder(userId, { amount: 99.99, description: 'a chair' })

    expect(response.statusCode).toBe(201)
    expect(response.json()).toMatchObject({
      user_id: userId,
      amount: 99.99,
      description: 'a chair',
      status: 'NEW',
    })
    // It really exists upstream, not only in the gateway's answer.
    expect((await direct(`/orders/${response.json().id}`, userId)).status).toBe(200)
  })

  it('when orders are listed, then the list is the service’s, query string included', async () => {
    const userId = randomUUID()
    const first = (await placeOrder(userId, { amount: 1 })).json()
    const second = (await placeOrder(userId, { amount: 2 })).json()

    const all = await get('/orders', userId)
    const limited = await get('/orders?limit=1', userId)

    expect(all.statusCode).toBe(200)
    expect(all.json()).toEqual((await direct('/orders', userId)).body)
    expect(all.json().map((order: { id: string }) => order.id)).toEqual([second.id, first.id])
    // Had the gateway dropped the query string, both orders would come back.
    expect(limited.json().map((order: { id: string }) => order.id)).toEqual([second.id])
  })

  it('when one order is read, then 200 with the order; another user gets the service’s 404 problem', async () => {
    const userId = randomUUID()
    const order = (await placeOrder(userId, { amount: 3.5 })).json()

    const mine = await get(`/orders/${order.id}`, userId)
    const theirs = await get(`/orders/${order.id}`, randomUUID())

    expect(mine.statusCode).toBe(200)
    expect(mine.json()).toEqual(order)
    expect(theirs.statusCode).toBe(404)
    expect(theirs.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(theirs.json()).toMatchObject({ status: 404, code: 'order_not_found' })
  })

  it('when the path or query is malformed, then the service’s 400 problem comes back unchanged', async () => {
    const userId = randomUUID()

    const badId = await get('/orders/not-a-uuid', userId)
    const badLimit = await get('/orders?limit=0', userId)

    expect(badId.statusCode).toBe(400)
    expect(badId.json()).toEqual((await direct('/orders/not-a-uuid', userId)).body)
    expect(badId.json()).toMatchObject({ code: 'invalid_path_parameter' })
    expect(badLimit.statusCode).toBe(400)
    expect(badLimit.json()).toMatchObject({ code: 'invalid_query' })
  })

  it('when the body breaks the schema or is not JSON, then the service’s 422 and 400 problems come back', async () => {
    const userId = randomUUID()

    const invalid = await placeOrder(userId, { amount: 1.234 })
    const malformed = await shop.gateway.inject({
      method: 'POST',
      url: '/orders',
      headers: { 'x-user-id': userId, 'content-type': 'application/json' },
      payload: '{"amount":',
    })

    expect(invalid.statusCode).toBe(422)
    expect(invalid.json()).toMatchObject({ code: 'validation_failed' })
    expect(malformed.statusCode).toBe(400)
    expect(malformed.json()).toMatchObject({ code: 'malformed_json' })
    // Neither left an order behind.
    expect((await direct('/orders', userId)).body).toEqual([])
  })
})
