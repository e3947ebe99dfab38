import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { useGatewayOverRealUpstreams } from './support/gateway.ts'

const shop = useGatewayOverRealUpstreams()

const post = (url: string, userId: string, payload?: unknown) =>
  shop.gateway.inject({
    method: 'POST',
    url,
    headers: {
      'x-user-id': userId,
      ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
  })

/** The same request sent straight to payments-service, to compare what the gateway answered with. */
const direct = async (url: string, userId: string) => {
  const response = await fetch(new URL(url, shop.upstreams.paymentsUrl), { headers: { 'x-user-id': userId } })
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: await response.json(),
  }
}

describe('gateway → payments-service', () => {
  it('when an account is opened, then 201 with the account comes back, and 409 problem the second time', async () => {
    const userId = randomUUID()

    const first = await post('/accounts', userId, { initial_balance: 100.5 })
    const second = await post('/accounts', userId, { initial_balance: 1 })

    expect(first.statusCode).toBe(201)
    expect(first.json()).toEqual({ user_id: userId, balance: 100.5 })
    expect(second.statusCode).toBe(409)
    expect(second.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(second.json()).toMatchObject({ status: 409, code: 'account_exists' })
  })

  it('when an account is opened without a body, then payments-service sees no body and opens it at 0', async () => {
    const userId = randomUUID()

    const response = await post('/accounts', userId)

    expect(response.statusCode).toBe(201)
    expect(response.json()).toEqual({ user_id: userId, balance: 0 })
  })

  it('when money is topped up, then the new balance comes back, and the balance route shows it unchanged', async () => {
    const userId = randomUUID()
    await post('/accounts', userId, { initial_balance: 10 })

    const topUp = await post('/accounts/topup', userId, { amount: 5.25 })
    const balance = await shop.gateway.inject({
      method: 'GET',
      url: '/accounts/balance',
      headers: { 'x-user-id': userId },
    })

    expect(topUp.statusCode).toBe(200)
    expect(topUp.json()).toEqual({ user_id: userId, balance: 15.25 })
    expect(balance.statusCode).toBe(200)
    const straight = await direct('/accounts/balance', userId)
    expect({ status: balance.statusCode, body: balance.json() }).toEqual({
      status: straight.status,
      body: straight.body,
    })
    expect(balance.json()).toEqual({ user_id: userId, balance: 15.25 })
  })

  it('when the user has no account, then the service’s 404 problem comes back as it was sent', async () => {
    const userId = randomUUID()

    const response = await shop.gateway.inject({
      method: 'GET',
      url: '/accounts/balance',
      headers: { 'x-user-id': userId },
    })

    const straight = await direct('/accounts/balance', userId)
    expect(response.statusCode).toBe(404)
    expect(response.headers['content-type']).toBe(straight.contentType)
    expect(response.json()).toEqual(straight.body)
    expect(response.json()).toMatchObject({ code: 'account_not_found' })
  })

  it('when a charge is covered, then 200 SUCCESS; when it is not, then the service’s 402 problem', async () => {
    const userId = randomUUID()
    await post('/accounts', userId, { initial_balance: 20 })
    const covered = randomUUID()
    const uncovered = randomUUID()

    const ok = await post('/accounts/charge', userId, { order_id: covered, amount: 15 })
    const refused = await post('/accounts/charge', userId, { order_id: uncovered, amount: 15 })

    expect(ok.statusCode).toBe(200)
    expect(ok.json()).toEqual({ order_id: covered, status: 'SUCCESS' })
    expect(refused.statusCode).toBe(402)
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(refused.json()).toMatchObject({ status: 402, code: 'insufficient_funds' })
    // The refused charge took nothing: 20 - 15 is left.
    expect((await direct('/accounts/balance', userId)).body).toEqual({ user_id: userId, balance: 5 })
  })

  it('when the body breaks the schema, then the service (not the gateway) answers 422 and names the field', async () => {
    const userId = randomUUID()
    await post('/accounts', userId)

    const response = await post('/accounts/topup', userId, { amount: '5' })

    expect(response.statusCode).toBe(422)
    expect(response.json()).toMatchObject({ code: 'validation_failed', instance: '/accounts/topup' })
    expect(response.json().errors).toEqual([expect.objectContaining({ field: '/amount' })])
  })
})
