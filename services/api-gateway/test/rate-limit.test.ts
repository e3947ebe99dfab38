import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Gateway, startGateway } from './support/gateway.ts'
import { type StubUpstream, startEchoUpstream } from './support/stub-upstreams.ts'

const LIMIT = 3

let echo: StubUpstream
/** Limited to LIMIT requests a minute per user, in front of an upstream that answers everything. */
let gateway: Gateway
let unlimited: Gateway

beforeAll(async () => {
  echo = await startEchoUpstream()
  gateway = await startGateway({
    ordersUrl: echo.url,
    paymentsUrl: echo.url,
    rateLimitPerMinute: LIMIT,
  })
  unlimited = await startGateway({ ordersUrl: echo.url, paymentsUrl: echo.url, rateLimitPerMinute: 0 })
})

afterAll(async () => {
  await Promise.all([gateway?.close(), unlimited?.close()])
  await echo?.close()
})

const listOrders = (userId: string, app: Gateway = gateway) =>
  app.inject({ method: 'GET', url: '/orders', headers: { 'x-user-id': userId } })

const openAccount = (userId: string) =>
  gateway.inject({
    method: 'POST',
    url: '/accounts',
    headers: { 'x-user-id': userId, 'content-type': 'application/json' },
    payload: '{}',
  })

/** Uses up a user's budget for this minute. */
async function exhaust(userId: string): Promise<void> {
  for (let i = 0; i < LIMIT; i++) expect((await listOrders(userId)).statusCode).toBe(200)
}

describe('the per-user rate limit', () => {
  it('when a user goes over the limit, then 429 rate_limited problem JSON with Retry-After, not forwarded', async () => {
    const userId = randomUUID()
    await exhaust(userId)
    const seenBefore = echo.seen.length

    const response = await listOrders(userId)

    expect(response.statusCode).toBe(429)
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(response.json()).toMatchObject({ status: 429, code: 'rate_limited', instance: '/orders' })
    const retryAfter = Number(response.headers['retry-after'])
    expect(Number.isInteger(retryAfter)).toBe(true)
    expect(retryAfter).toBeGreaterThan(0)
    expect(retryAfter).toBeLessThanOrEqual(60)
    expect(echo.seen.length).toBe(seenBefore)
  })

  it('when a user is within the limit, then the answers say how much of the budget is left', async () => {
    const userId = randomUUID()

    const first = await listOrders(userId)

    expect(first.statusCode).toBe(200)
    expect(first.headers['x-ratelimit-limit']).toBe(String(LIMIT))
    expect(first.headers['x-ratelimit-remaining']).toBe(String(LIMIT - 1))
  })

  it('when one user is over the limit, then another user is unaffected', async () => {
    const greedy = randomUUID()
    const other = randomUUID()
    await exhaust(greedy)
    expect((await listOrders(greedy)).statusCode).toBe(429)

    const responses = [await listOrders(other), await openAccount(other)]

    expect(responses.map((response) => response.statusCode)).toEqual([200, 200])
  })

  it('when a user spreads requests over both services, then they share one budget', async () => {
    const userId = randomUUID()
    await exhaust(userId)

    // The orders budget is spent; an account route must not open a second one.
    const response = await openAccount(userId)

    expect(response.statusCode).toBe(429)
    expect(response.json()).toMatchObject({ code: 'rate_limited' })
  })

  it('when the same user id is sent in another letter case, then it counts against the same budget', async () => {
    const userId = randomUUID()
    await exhaust(userId)

    const response = await listOrders(userId.toUpperCase())

    expect(response.statusCode).toBe(429)
  })

  it('when X-User-Id is missing or malformed, then the answer is 400, never 429', async () => {
    // Identity is checked first: these requests cost nothing upstream, and counting them by IP
    // would let one bad client spend the budget of everyone behind the same address.
    for (let i = 0; i < LIMIT + 2; i++) {
      const missing = await gateway.inject({ method: 'GET', url: '/orders' })
      const malformed = await listOrders('not-a-uuid')
      expect(missing.json()).toMatchObject({ status: 400, code: 'missing_user_id' })
      expect(malformed.json()).toMatchObject({ status: 400, code: 'invalid_user_id' })
    }
  })

  it.each(['/health', '/ready', '/docs/json'])(
    'when %s is asked more often than the limit, then it is never limited',
    async (url) => {
      const userId = randomUUID()
      await exhaust(userId)

      for (let i = 0; i < LIMIT + 2; i++) {
        const response = await gateway.inject({ method: 'GET', url, headers: { 'x-user-id': userId } })
        expect(response.statusCode).toBe(200)
        expect(response.headers['retry-after']).toBeUndefined()
      }
    },
  )

  it('when the limit is 0, then it is off: no request is refused and no budget is announced', async () => {
    const userId = randomUUID()

    for (let i = 0; i < LIMIT * 3; i++) {
      const response = await listOrders(userId, unlimited)
      expect(response.statusCode).toBe(200)
      expect(response.headers['x-ratelimit-limit']).toBeUndefined()
    }
  })
})

describe('the per-address limit in front of the per-user one', () => {
  /** Runs `check` against a gateway that limits each address to LIMIT requests a minute, and no user. */
  async function withAddressLimit(check: (byAddress: Gateway) => Promise<void>) {
    const byAddress = await startGateway({
      ordersUrl: echo.url,
      paymentsUrl: echo.url,
      rateLimitPerIpPerMinute: LIMIT,
    })
    try {
      await check(byAddress)
    } finally {
      await byAddress.close()
    }
  }

  it('when one address sends requests under ever new user ids, then it is held to its own budget', () =>
    withAddressLimit(async (byAddress) => {
      for (let i = 0; i < LIMIT; i++) expect((await listOrders(randomUUID(), byAddress)).statusCode).toBe(200)
      const seenBefore = echo.seen.length

      const response = await listOrders(randomUUID(), byAddress)

      expect(response.statusCode).toBe(429)
      expect(response.json()).toMatchObject({
        code: 'rate_limited',
        detail: expect.stringMatching(/client address/),
      })
      expect(echo.seen.length).toBe(seenBefore)
    }))

  it('when requests carry no valid identity, then they still count against their address', () =>
    withAddressLimit(async (byAddress) => {
      for (let i = 0; i < LIMIT; i++) expect((await listOrders('not-a-uuid', byAddress)).statusCode).toBe(400)

      expect((await listOrders(randomUUID(), byAddress)).statusCode).toBe(429)
    }))
})
