import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { useGatewayOverRealUpstreams } from './support/gateway.ts'

const shop = useGatewayOverRealUpstreams()

const send = (method: 'GET' | 'POST', url: string, userId?: string, payload?: unknown, headers = {}) =>
  shop.gateway.inject({
    method,
    url,
    headers: {
      ...(userId ? { 'x-user-id': userId } : {}),
      ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
  })

describe('gateway → cancellations, refunds and statements', () => {
  it('when the owner cancels a NEW order through the gateway, then the service’s 200 with the CANCELLED order comes back', async () => {
    const userId = randomUUID()
    const order = (await send('POST', '/orders', userId, { amount: 2 })).json()

    const response = await send('POST', `/orders/${order.id}/cancel`, userId)

    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({
      id: order.id,
      status: 'CANCELLED',
      reason: 'cancelled_by_customer',
    })
  })

  it('when a refund is asked for an order that is not FINISHED, then the service’s 409 comes back, and its refunds list is empty', async () => {
    const userId = randomUUID()
    const order = (await send('POST', '/orders', userId, { amount: 2 })).json()

    const refused = await send('POST', `/orders/${order.id}/refunds`, userId, { amount: 1 })
    const listed = await send('GET', `/orders/${order.id}/refunds`, userId)

    expect(refused.statusCode).toBe(409)
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(refused.json()).toMatchObject({ code: 'order_not_refundable' })
    expect(listed.statusCode).toBe(200)
    expect(listed.json()).toEqual([])
  })

  it.each([
    ['POST', '/orders/7c9e6679-7425-40de-944b-e07fc1f90ae7/cancel'],
    ['POST', '/orders/7c9e6679-7425-40de-944b-e07fc1f90ae7/refunds'],
    ['GET', '/orders/7c9e6679-7425-40de-944b-e07fc1f90ae7/refunds'],
    ['GET', '/accounts/statement'],
  ] as const)(
    'when %s %s comes without X-User-Id, then the gateway refuses it with 400 and writes nothing',
    async (method, url) => {
      const before = await shop.upstreams.stored()

      const response = await send(method, url)

      expect(response.statusCode).toBe(400)
      expect(response.json()).toMatchObject({ code: 'missing_user_id' })
      expect(await shop.upstreams.stored()).toEqual(before)
    },
  )

  it('when a statement is read through the gateway, as JSON and as CSV, then both come back as the service gave them', async () => {
    const userId = randomUUID()
    await send('POST', '/accounts', userId, { initial_balance: 10 })
    await send('POST', '/accounts/topup', userId, { amount: 2.5 })

    const json = await send('GET', '/accounts/statement?limit=1', userId)
    const csv = await send('GET', '/accounts/statement?limit=1', userId, undefined, { accept: 'text/csv' })

    expect(json.statusCode).toBe(200)
    expect(json.json()).toMatchObject({ entries: [{ kind: 'topup', amount: 2.5, balance_after: 12.5 }] })
    expect(csv.statusCode).toBe(200)
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(csv.headers['next-cursor']).toBe(json.json().next_cursor)
    expect(csv.body.split('\n')[1]).toMatch(/^\d+,topup,2\.50,12\.50,,,/)
  })
})
