import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Gateway, startGateway } from './support/gateway.ts'
import { closedPortUrl, type StubUpstream, startHangingUpstream } from './support/stub-upstreams.ts'

const TIMEOUT_MS = 300

let hanging: StubUpstream
/** Both upstreams on closed ports, with a long timeout: a quick 503 cannot be a timeout in disguise. */
let downGateway: Gateway
/** Both upstreams hang forever, with a short timeout. */
let slowGateway: Gateway

beforeAll(async () => {
  hanging = await startHangingUpstream()
  downGateway = await startGateway({
    ordersUrl: await closedPortUrl(),
    paymentsUrl: await closedPortUrl(),
    timeoutMs: 10_000,
  })
  slowGateway = await startGateway({
    ordersUrl: hanging.url,
    paymentsUrl: hanging.url,
    timeoutMs: TIMEOUT_MS,
  })
})

afterAll(async () => {
  await Promise.all([downGateway?.close(), slowGateway?.close()])
  await hanging?.close()
})

const timed = async <T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> => {
  const started = performance.now()
  const result = await work()
  return { result, ms: performance.now() - started }
}

describe('an upstream that is down', () => {
  it.each([
    ['POST', '/accounts', '{}'],
    ['GET', '/accounts/balance', undefined],
    ['POST', '/orders', '{"amount":1}'],
    ['GET', '/orders', undefined],
  ])(
    'when %s %s is sent, then the gateway answers 503 upstream_unavailable at once',
    async (method, url, payload) => {
      const { result: response, ms } = await timed(() =>
        downGateway.inject({
          method: method as 'GET' | 'POST',
          url,
          headers: {
            'x-user-id': randomUUID(),
            ...(payload ? { 'content-type': 'application/json' } : {}),
          },
          ...(payload ? { payload } : {}),
        }),
      )

      expect(response.statusCode).toBe(503)
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(response.json()).toMatchObject({ status: 503, code: 'upstream_unavailable', instance: url })
      // A refused connection is known at once: no waiting for the 10 s timeout, no retry loop.
      expect(ms).toBeLessThan(1_000)
    },
  )
})

describe('an upstream that never answers', () => {
  it('when a request is held past UPSTREAM_TIMEOUT_MS, then the gateway answers 504 upstream_timeout', async () => {
    const seenBefore = hanging.seen.length

    const { result: response, ms } = await timed(() =>
      slowGateway.inject({
        method: 'GET',
        url: `/orders/${randomUUID()}`,
        headers: { 'x-user-id': randomUUID() },
      }),
    )

    expect(response.statusCode).toBe(504)
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(response.json()).toMatchObject({ status: 504, code: 'upstream_timeout' })
    // It did reach the upstream, waited about the configured time, and did not hang on.
    expect(hanging.seen.length).toBe(seenBefore + 1)
    expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50)
    expect(ms).toBeLessThan(2_000)
  })

  it('when a POST is held past UPSTREAM_TIMEOUT_MS, then it is not retried and answers 504', async () => {
    const seenBefore = hanging.seen.length

    const response = await slowGateway.inject({
      method: 'POST',
      url: '/orders',
      headers: { 'x-user-id': randomUUID(), 'content-type': 'application/json' },
      payload: '{"amount":1}',
    })

    expect(response.statusCode).toBe(504)
    expect(response.json()).toMatchObject({ code: 'upstream_timeout' })
    // A retried POST could place the order twice.
    expect(hanging.seen.length).toBe(seenBefore + 1)
  })
})
