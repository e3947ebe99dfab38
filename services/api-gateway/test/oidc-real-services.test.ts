import { randomBytes, randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Gateway, startGateway } from './support/gateway.ts'
import { type RealUpstreams, startRealUpstreams } from './support/real-upstreams.ts'
import { startTestIssuer, TEST_AUDIENCE, type TestIssuer } from './support/test-issuer.ts'

const INTERNAL_AUTH_TOKEN = randomBytes(32).toString('base64url')

let issuer: TestIssuer
let services: RealUpstreams
/** oidc mode, sending the internal token to services that require it. */
let gateway: Gateway

beforeAll(async () => {
  issuer = await startTestIssuer()
  services = await startRealUpstreams({ internalAuthToken: INTERNAL_AUTH_TOKEN })
  gateway = await startGateway({
    ...services,
    auth: { AUTH_MODE: 'oidc', OIDC_ISSUER: issuer.url, OIDC_AUDIENCE: TEST_AUDIENCE, INTERNAL_AUTH_TOKEN },
  })
})

afterAll(async () => {
  await gateway?.close()
  await services?.close()
  await issuer?.close()
})

const as = async (userId: string) => ({ authorization: `Bearer ${await issuer.sign({ sub: userId })}` })

async function placeOrder(headers: Record<string, string>) {
  const response = await gateway.inject({
    method: 'POST',
    url: '/orders',
    headers: { ...headers, 'content-type': 'application/json' },
    payload: { amount: 10 },
  })
  expect(response.statusCode).toBe(201)
  return response.json() as { id: string; user_id: string }
}

describe('oidc mode in front of the real services', () => {
  it('when A’s token places an order, then A reads it and B’s token gets 404', async () => {
    const [a, b] = [randomUUID(), randomUUID()]
    const order = await placeOrder(await as(a))

    const byOwner = await gateway.inject({ method: 'GET', url: `/orders/${order.id}`, headers: await as(a) })
    const byOther = await gateway.inject({ method: 'GET', url: `/orders/${order.id}`, headers: await as(b) })

    expect(byOwner.statusCode).toBe(200)
    expect(byOther.statusCode).toBe(404)
    expect(byOther.json()).toMatchObject({ code: 'order_not_found' })
  })

  it('when A’s token comes with X-User-Id: B, then the order is A’s and B has none', async () => {
    const [a, b] = [randomUUID(), randomUUID()]
    const order = await placeOrder({ ...(await as(a)), 'x-user-id': b })

    expect(order.user_id).toBe(a)
    const bOrders = await gateway.inject({ method: 'GET', url: '/orders', headers: await as(b) })
    expect(bOrders.json()).toEqual([])
  })

  it('when an account is opened and topped up with a token, then the balance is the token user’s', async () => {
    const headers = { ...(await as(randomUUID())), 'content-type': 'application/json' }
    expect(
      (await gateway.inject({ method: 'POST', url: '/accounts', headers, payload: {} })).statusCode,
    ).toBe(201)
    const topUp = await gateway.inject({
      method: 'POST',
      url: '/accounts/topup',
      headers,
      payload: { amount: 5 },
    })

    expect(topUp.statusCode).toBe(200)
    expect(topUp.json()).toMatchObject({ balance: 5 })
  })
})

describe('a service with INTERNAL_AUTH_TOKEN, reached directly', () => {
  const direct = (base: string, path: string, init: RequestInit = {}) => fetch(new URL(path, base), init)

  it.each([
    ['without the token', {}],
    ['with a wrong token', { 'x-internal-auth': `${INTERNAL_AUTH_TOKEN.slice(0, -1)}x` }],
    ['with the token in another header', { authorization: `Bearer ${INTERNAL_AUTH_TOKEN}` }],
  ])(
    'when a business request comes %s, then 401 internal_auth_required and nothing is written',
    async (_, headers) => {
      const before = await services.stored()
      const userId = randomUUID()
      const responses = await Promise.all([
        direct(services.paymentsUrl, '/accounts', {
          method: 'POST',
          headers: { ...headers, 'x-user-id': userId, 'content-type': 'application/json' },
          body: '{"initial_balance": 1000}',
        }),
        direct(services.ordersUrl, '/orders', {
          method: 'POST',
          headers: { ...headers, 'x-user-id': userId, 'content-type': 'application/json' },
          body: '{"amount": 1}',
        }),
        direct(services.ordersUrl, '/orders', { headers: { ...headers, 'x-user-id': userId } }),
        direct(services.ordersUrl, '/no-such-route', { headers }),
      ])

      for (const response of responses) {
        expect(response.status).toBe(401)
        expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/)
        expect(await response.json()).toMatchObject({ code: 'internal_auth_required' })
      }
      expect(await services.stored()).toEqual(before)
    },
  )

  it.each(['/health', '/ready', '/docs/json'])(
    'when %s is asked without the token, then it answers',
    async (path) => {
      for (const base of [services.ordersUrl, services.paymentsUrl]) {
        expect((await direct(base, path)).status).toBe(200)
      }
    },
  )

  it('when the token is sent as the gateway sends it, then the service serves the request', async () => {
    const response = await direct(services.ordersUrl, '/orders', {
      headers: { 'x-internal-auth': INTERNAL_AUTH_TOKEN, 'x-user-id': randomUUID() },
    })
    expect(response.status).toBe(200)
  })
})

describe('a gateway in header mode without the internal token, in front of services that require it', () => {
  it('then the services refuse what it forwards: the token is what lets the gateway in', async () => {
    const bare = await startGateway(services)
    try {
      const response = await bare.inject({
        method: 'GET',
        url: '/orders',
        headers: { 'x-user-id': randomUUID() },
      })
      expect(response.statusCode).toBe(401)
      expect(response.json()).toMatchObject({ code: 'internal_auth_required' })
    } finally {
      await bare.close()
    }
  })

  it('when a client sends its own X-Internal-Auth, then the gateway does not pass it on', async () => {
    const bare = await startGateway(services)
    try {
      const response = await bare.inject({
        method: 'GET',
        url: '/orders',
        headers: { 'x-user-id': randomUUID(), 'x-internal-auth': INTERNAL_AUTH_TOKEN },
      })
      expect(response.statusCode).toBe(401)
    } finally {
      await bare.close()
    }
  })
})
