import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Gateway, startGateway } from './support/gateway.ts'
import { closedPortUrl, type StubUpstream, startEchoUpstream } from './support/stub-upstreams.ts'

let echo: StubUpstream
/** Orders go to the echo stub; payments to a closed port, where any forwarded request would be a 503. */
let gateway: Gateway

beforeAll(async () => {
  echo = await startEchoUpstream()
  gateway = await startGateway({ ordersUrl: echo.url, paymentsUrl: await closedPortUrl() })
})

afterAll(async () => {
  await gateway?.close()
  await echo?.close()
})

describe('X-User-Id at the gateway', () => {
  it.each([
    ['missing', 'missing_user_id', {}],
    ['not a UUID', 'invalid_user_id', { 'x-user-id': 'alice' }],
    ['a UUID with trailing text', 'invalid_user_id', { 'x-user-id': `${randomUUID()}!` }],
  ])(
    'when it is %s, then the gateway itself answers 400 %s',
    async (_case, code, headers: Record<string, string>) => {
      const seenBefore = echo.seen.length

      const toOrders = await gateway.inject({ method: 'GET', url: '/orders', headers })
      // payments-service is unreachable: a forwarded request would be a 503, so a 400 proves nothing was sent.
      const toPayments = await gateway.inject({
        method: 'POST',
        url: '/accounts',
        headers: { ...headers, 'content-type': 'application/json' },
        payload: '{}',
      })

      for (const response of [toOrders, toPayments]) {
        expect(response.statusCode).toBe(400)
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
        expect(response.json()).toMatchObject({ status: 400, code })
      }
      expect(echo.seen.length).toBe(seenBefore)
    },
  )

  it('when it is a valid UUID, then the request reaches the service with the header as sent', async () => {
    const userId = randomUUID()

    const response = await gateway.inject({
      method: 'GET',
      url: '/orders?limit=5',
      headers: { 'x-user-id': userId },
    })

    expect(response.statusCode).toBe(200)
    expect(response.headers['x-echo']).toBe('yes')
    expect(response.json()).toMatchObject({
      method: 'GET',
      url: '/orders?limit=5',
      headers: { 'x-user-id': userId },
    })
  })
})

describe('x-request-id', () => {
  const userId = randomUUID()

  it('when the client sends one, then it comes back in the response and reaches the service', async () => {
    const requestId = `client-${randomUUID()}`

    const response = await gateway.inject({
      method: 'GET',
      url: '/orders',
      headers: { 'x-user-id': userId, 'x-request-id': requestId },
    })

    expect(response.headers['x-request-id']).toBe(requestId)
    expect(response.json().headers['x-request-id']).toBe(requestId)
  })

  it('when the client sends none, then the gateway makes one and gives the service the same', async () => {
    const response = await gateway.inject({ method: 'GET', url: '/orders', headers: { 'x-user-id': userId } })

    const returned = response.headers['x-request-id']
    expect(returned).toMatch(/^[0-9a-f-]{36}$/)
    expect(response.json().headers['x-request-id']).toBe(returned)
  })

  it('when the client sends one that is unsafe to log, then it is replaced by a fresh id end to end', async () => {
    const unsafe = 'x'.repeat(129)

    const response = await gateway.inject({
      method: 'GET',
      url: '/orders',
      headers: { 'x-user-id': userId, 'x-request-id': unsafe },
    })

    const returned = response.headers['x-request-id']
    expect(returned).not.toBe(unsafe)
    expect(returned).toMatch(/^[0-9a-f-]{36}$/)
    expect(response.json().headers['x-request-id']).toBe(returned)
  })

  it('when the gateway rejects a request itself, then the problem still carries the request id', async () => {
    const response = await gateway.inject({
      method: 'GET',
      url: '/orders',
      headers: { 'x-request-id': 'trace-42' },
    })

    expect(response.statusCode).toBe(400)
    expect(response.headers['x-request-id']).toBe('trace-42')
  })
})

describe('traceparent', () => {
  const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/

  it('when the client sends none, then the service still receives the trace the gateway started', async () => {
    const response = await gateway.inject({
      method: 'GET',
      url: '/orders',
      headers: { 'x-user-id': randomUUID() },
    })

    // Without it the service would start a second, unrelated trace for the same request.
    expect(response.json().headers.traceparent).toMatch(TRACEPARENT)
  })

  it('when the client sends one, then the service continues the same trace under the gateway’s span', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
    const clientSpan = '00f067aa0ba902b7'

    const response = await gateway.inject({
      method: 'GET',
      url: '/orders',
      headers: { 'x-user-id': randomUUID(), traceparent: `00-${traceId}-${clientSpan}-01` },
    })

    const [, forwardedTrace, forwardedSpan] = TRACEPARENT.exec(response.json().headers.traceparent) ?? []
    expect(forwardedTrace).toBe(traceId)
    expect(forwardedSpan).toMatch(/^[0-9a-f]{16}$/)
    expect(forwardedSpan).not.toBe(clientSpan)
  })
})
