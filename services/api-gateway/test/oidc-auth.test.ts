import { randomUUID } from 'node:crypto'
import { base64url, SignJWT } from 'jose'
import { pino } from 'pino'
import { v5 as uuidV5 } from 'uuid'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { capturingLogger } from '../../../tests/support/logger.ts'
import { buildApp } from '../src/app.ts'
import type { Gateway } from './support/gateway.ts'
import { type StubUpstream, startEchoUpstream } from './support/stub-upstreams.ts'
import { startTestIssuer, TEST_AUDIENCE, type TestIssuer } from './support/test-issuer.ts'

const KEY_REFETCH_COOLDOWN_MS = 300

let issuer: TestIssuer
let echo: StubUpstream
let gateway: Gateway
/** Every line the gateway logged. */
const { logger, lines: logLines } = capturingLogger()

/** The gateway's settings in oidc mode, trusting the given issuer, in front of the echo stub. */
const oidcConfig = (issuerUrl: string) => ({
  ORDERS_SERVICE_URL: echo.url,
  PAYMENTS_SERVICE_URL: echo.url,
  UPSTREAM_TIMEOUT_MS: 5_000,
  RATE_LIMIT_PER_MINUTE: 0,
  AUTH_MODE: 'oidc' as const,
  OIDC_ISSUER: issuerUrl,
  OIDC_AUDIENCE: TEST_AUDIENCE,
})

beforeAll(async () => {
  issuer = await startTestIssuer()
  echo = await startEchoUpstream()
  gateway = await buildApp({
    config: oidcConfig(issuer.url),
    logger,
    issuerKeyTiming: { keyRefetchCooldownMs: KEY_REFETCH_COOLDOWN_MS, issuerTimeoutMs: 1_000 },
  })
  await gateway.ready()
})

afterAll(async () => {
  await gateway?.close()
  await echo?.close()
  await issuer?.close()
})

const listOrders = (headers: Record<string, string>) =>
  gateway.inject({ method: 'GET', url: '/orders', headers })
const withToken = (token: string, extra: Record<string, string> = {}) =>
  listOrders({ authorization: `Bearer ${token}`, ...extra })
const pastCooldown = () => new Promise((resolve) => setTimeout(resolve, KEY_REFETCH_COOLDOWN_MS + 50))

/** The headers the upstream saw for the last request that reached it. */
const lastForwarded = () => echo.seen.at(-1)?.headers ?? {}

function expectRefused(response: Awaited<ReturnType<typeof listOrders>>, code: string) {
  expect(response.statusCode).toBe(401)
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
  expect(response.json()).toMatchObject({ status: 401, code })
}

describe('the gateway in oidc mode', () => {
  it('when a valid token calls, then the service gets its subject as X-User-Id and never the token', async () => {
    const userId = randomUUID()
    const response = await withToken(await issuer.sign({ sub: userId }))

    expect(response.statusCode).toBe(200)
    expect(lastForwarded()['x-user-id']).toBe(userId)
    expect(lastForwarded().authorization).toBeUndefined()
  })

  it('when A’s token comes with X-User-Id: B, then the service hears A', async () => {
    const [a, b] = [randomUUID(), randomUUID()]
    const response = await withToken(await issuer.sign({ sub: a }), { 'x-user-id': b })

    expect(response.statusCode).toBe(200)
    expect(lastForwarded()['x-user-id']).toBe(a)
  })

  it('when the subject is not a UUID, then the user is the UUID v5 of issuer and subject, the same each time', async () => {
    const sub = `google-oauth2|${randomUUID()}`
    await withToken(await issuer.sign({ sub }))
    const first = lastForwarded()['x-user-id']
    await withToken(await issuer.sign({ sub }))

    expect(first).toBe(uuidV5(`${issuer.url}#${encodeURIComponent(sub)}`, uuidV5.URL))
    expect(lastForwarded()['x-user-id']).toBe(first)
  })

  it('when no token is sent, then 401 missing_bearer_token with a bare Bearer challenge, and nothing is forwarded', async () => {
    const seen = echo.seen.length
    const withoutBearer: Record<string, string>[] = [
      {},
      { 'x-user-id': randomUUID() },
      { authorization: 'Basic dXNlcjpwYXNz' },
    ]
    for (const headers of withoutBearer) {
      const response = await listOrders(headers)
      expectRefused(response, 'missing_bearer_token')
      expect(response.headers['www-authenticate']).toBe('Bearer realm="shop"')
    }
    expect(echo.seen.length).toBe(seen)
  })

  it('when the Authorization header is not one bearer token, then 401 with error="invalid_request"', async () => {
    const response = await listOrders({ authorization: 'Bearer two tokens' })
    expectRefused(response, 'invalid_token')
    expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="shop", error="invalid_request"/)
  })

  const now = () => Math.floor(Date.now() / 1000)
  const refusals: [string, () => Promise<string>, RegExp][] = [
    [
      'a forged signature (a key the issuer never published, under a published kid)',
      async () => issuer.sign({}, { key: { ...(await issuer.newKey()), kid: issuer.current.kid } }),
      /signature is invalid/,
    ],
    ['another issuer', () => issuer.sign({ iss: 'https://evil.example' }), /iss claim/],
    ['another audience', () => issuer.sign({ aud: 'another-api' }), /aud claim/],
    ['an expired token', () => issuer.sign({ exp: now() - 120, iat: now() - 600 }), /expired/],
    ['a token not valid yet', () => issuer.sign({ nbf: now() + 600 }), /not valid yet/],
    ['no exp at all', () => issuer.sign({ exp: undefined }), /exp claim/],
    [
      'alg: none',
      async () =>
        `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url.encode(
          JSON.stringify({ iss: issuer.url, aud: TEST_AUDIENCE, sub: randomUUID(), exp: now() + 60 }),
        )}.`,
      /accepted algorithm/,
    ],
    [
      'HS256 with a shared secret',
      () =>
        new SignJWT({ iss: issuer.url, aud: TEST_AUDIENCE, sub: randomUUID(), exp: now() + 60 })
          .setProtectedHeader({ alg: 'HS256', kid: issuer.current.kid })
          .sign(new TextEncoder().encode(JSON.stringify(issuer.current.publicJwk))),
      /accepted algorithm/,
    ],
    [
      'a key the issuer never published',
      async () => issuer.sign({}, { key: await issuer.newKey() }),
      /does not publish/,
    ],
    ['not a JWT', async () => 'abc.def.ghi', /malformed/],
  ]

  it.each(refusals)(
    'when the token has %s, then 401 invalid_token with the RFC 6750 challenge, nothing forwarded',
    async (_, token, reason) => {
      await pastCooldown()
      const seen = echo.seen.length
      const response = await withToken(await token())

      expectRefused(response, 'invalid_token')
      expect(response.headers['www-authenticate']).toMatch(
        /^Bearer realm="shop", error="invalid_token", error_description="[^"]+"$/,
      )
      expect(response.headers['www-authenticate']).toMatch(reason)
      expect(echo.seen.length).toBe(seen)
    },
  )

  it('when the issuer rotates its key, then tokens of the new key are accepted without a restart and those of the old one refused', async () => {
    const old = issuer.current
    const rotated = await issuer.newKey('ES256')
    expect((await withToken(await issuer.sign({}, { key: old }))).statusCode).toBe(200)

    issuer.publish(rotated)
    await pastCooldown()
    const response = await withToken(await issuer.sign({}, { key: rotated }))

    expect(response.statusCode).toBe(200)
    expectRefused(await withToken(await issuer.sign({}, { key: old })), 'invalid_token')
    issuer.publish(old, rotated)
  })

  it('when unknown kids keep coming, then the key set is fetched at most once per cooldown', async () => {
    const unknownKeys = await Promise.all(Array.from({ length: 10 }, () => issuer.newKey('ES256')))
    const tokens = await Promise.all(unknownKeys.map((key) => issuer.sign({}, { key })))
    await pastCooldown()
    const before = issuer.jwksFetches
    const started = Date.now()
    for (const token of tokens) expectRefused(await withToken(token), 'invalid_token')

    const cooldowns = Math.floor((Date.now() - started) / KEY_REFETCH_COOLDOWN_MS) + 1
    expect(issuer.jwksFetches - before).toBeGreaterThanOrEqual(1)
    expect(issuer.jwksFetches - before).toBeLessThanOrEqual(cooldowns)
  })

  it('when the issuer cannot be reached, then tokens of cached keys still pass and only an uncached key is 503', async () => {
    await pastCooldown()
    expect((await withToken(await issuer.sign())).statusCode).toBe(200)
    const unseen = await issuer.newKey('EdDSA')
    issuer.publish(issuer.current, unseen)
    issuer.unreachable = true
    try {
      await pastCooldown()
      expect((await withToken(await issuer.sign())).statusCode).toBe(200)
      const response = await withToken(await issuer.sign({}, { key: unseen }))

      expect(response.statusCode).toBe(503)
      expect(response.json()).toMatchObject({ code: 'identity_provider_unavailable' })
    } finally {
      issuer.unreachable = false
    }
    await pastCooldown()
    expect((await withToken(await issuer.sign({}, { key: unseen }))).statusCode).toBe(200)
  })

  it('when tokens were sent, accepted or refused, then none of them appears in the logs', async () => {
    const tokens = [await issuer.sign(), await issuer.sign({ aud: 'elsewhere' })]
    for (const token of tokens) await withToken(token)
    const logs = logLines.join('')

    expect(logs).toContain('access token refused')
    for (const token of tokens) {
      expect(logs).not.toContain(token)
      expect(logs).not.toContain(token.split('.')[2])
    }
  })

  it('when the document is read, then business routes name the bearer scheme and answer 401', async () => {
    const document = (await gateway.inject({ method: 'GET', url: '/docs/json' })).json()
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' })
    const listing = document.paths['/orders'].get
    expect(listing.security).toEqual([{ bearerAuth: [] }])
    expect(listing.responses['401'].content).toHaveProperty(['application/problem+json'])
    expect(listing.parameters ?? []).not.toContainEqual(expect.objectContaining({ name: 'x-user-id' }))
  })
})

describe('the gateway in oidc mode, with OIDC_DISCOVERY_URL', () => {
  it('when the issuer’s URL does not reach it from the gateway, then discovery is read there and its tokens pass', async () => {
    const elsewhere = await startTestIssuer({ identifier: 'http://id.example.invalid/realms/shop' })
    const app = await buildApp({
      config: { ...oidcConfig(elsewhere.url), OIDC_DISCOVERY_URL: elsewhere.discoveryUrl },
      logger: pino({ level: 'silent' }),
    })
    try {
      const token = await elsewhere.sign()
      const response = await app.inject({
        method: 'GET',
        url: '/orders',
        headers: { authorization: `Bearer ${token}` },
      })
      expect(response.statusCode).toBe(200)
    } finally {
      await app.close()
      await elsewhere.close()
    }
  })
})

describe('the gateway in oidc mode, when the issuer’s key set cannot be fetched the first time', () => {
  it('then tokens are 503 and the key set is asked for once per cooldown, not once per request', async () => {
    const keyless = await startTestIssuer()
    keyless.keysUnreachable = true
    const app = await buildApp({
      config: oidcConfig(keyless.url),
      logger: pino({ level: 'silent' }),
      issuerKeyTiming: { keyRefetchCooldownMs: 60_000 },
    })
    try {
      const headers = { authorization: `Bearer ${await keyless.sign()}` }
      for (let i = 0; i < 5; i++) {
        const response = await app.inject({ method: 'GET', url: '/orders', headers })
        expect(response.statusCode).toBe(503)
      }
      expect(keyless.jwksRequests).toBe(1)
    } finally {
      await app.close()
      await keyless.close()
    }
  })
})

describe('the gateway in oidc mode, when its issuer was never reachable', () => {
  it('then every token is 503 identity_provider_unavailable, and the probes still answer', async () => {
    const down = await startTestIssuer()
    const token = await down.sign()
    down.unreachable = true
    const app = await buildApp({
      config: oidcConfig(down.url),
      logger: pino({ level: 'silent' }),
    })
    try {
      const response = await app.inject({
        method: 'GET',
        url: '/orders',
        headers: { authorization: `Bearer ${token}` },
      })
      expect(response.statusCode).toBe(503)
      expect(response.json()).toMatchObject({ code: 'identity_provider_unavailable' })
      expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200)
    } finally {
      await app.close()
      await down.close()
    }
  })
})
