import { randomUUID } from 'node:crypto'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Gateway, startGateway } from './support/gateway.ts'
import { type StubUpstream, startEchoUpstream } from './support/stub-upstreams.ts'
import { startTestIssuer, TEST_AUDIENCE, type TestIssuer } from './support/test-issuer.ts'

const RUNS = 300
const INTERNAL_AUTH_TOKEN = 'the-internal-token-only-the-gateway-knows'

let issuer: TestIssuer
let recording: StubUpstream
let gateway: Gateway
/** Tokens the gateway must accept, each with the user it names. */
let valid: { token: string; userId: string }[]
/** Tokens it must refuse: tampered, another issuer or audience, expired, unsigned, unknown key. */
let invalid: string[]

beforeAll(async () => {
  issuer = await startTestIssuer()
  recording = await startEchoUpstream()
  gateway = await startGateway({
    ordersUrl: recording.url,
    paymentsUrl: recording.url,
    auth: { AUTH_MODE: 'oidc', OIDC_ISSUER: issuer.url, OIDC_AUDIENCE: TEST_AUDIENCE, INTERNAL_AUTH_TOKEN },
  })
  valid = await Promise.all(
    Array.from({ length: 3 }, async () => {
      const userId = randomUUID()
      return { token: await issuer.sign({ sub: userId }), userId }
    }),
  )
  const now = Math.floor(Date.now() / 1000)
  const genuine = valid[0]?.token ?? ''
  invalid = [
    `${genuine.slice(0, -4)}AAAA`,
    genuine.split('.').slice(0, 2).join('.'),
    await issuer.sign({ iss: `${issuer.url}/other` }),
    await issuer.sign({ aud: 'someone-else' }),
    await issuer.sign({ exp: now - 3600, iat: now - 7200 }),
    await issuer.sign({ nbf: now + 3600 }),
    await issuer.sign({ sub: undefined }),
    await issuer.sign({}, { key: await issuer.newKey() }),
    `${Buffer.from('{"alg":"none"}').toString('base64url')}.${genuine.split('.')[1]}.`,
  ]
})

afterAll(async () => {
  await gateway?.close()
  await recording?.close()
  await issuer?.close()
})

const PATHS = [
  '/orders',
  '/accounts',
  '/accounts/topup',
  '/accounts/balance',
  '/accounts/charge',
  '/accounts/statement',
  '/ws/tickets',
  '/ws',
]
const visibleAscii = fc.stringMatching(/^[\x21-\x7e]{0,80}$/)

/** A request as anybody might send it: any method, a business path or any path, any identity headers. */
const anyRequest = () =>
  fc.record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'PATCH'),
    path: fc.oneof(
      fc.constantFrom(...PATHS),
      fc.uuid().map((id) => `/orders/${id}`),
      fc.tuple(fc.uuid(), fc.constantFrom('cancel', 'refunds')).map(([id, what]) => `/orders/${id}/${what}`),
      fc.webPath().map((path) => path || '/'),
    ),
    token: fc.oneof(
      fc.constant<undefined>(undefined),
      fc.nat({ max: 2 }).map((index) => ({ valid: index })),
      fc.nat({ max: 8 }).map((index) => ({ invalid: index })),
      visibleAscii.map((text) => ({ raw: text })),
    ),
    claimedUserId: fc.option(fc.oneof(fc.uuid(), visibleAscii), { nil: undefined }),
    claimedInternalAuth: fc.option(fc.constantFrom(INTERNAL_AUTH_TOKEN, 'guess'), { nil: undefined }),
    scheme: fc.constantFrom('Bearer', 'bearer', 'Basic', 'Token'),
  })

describe('the gateway in oidc mode, for any request', () => {
  it('then nothing reaches a service without a verified token, and what does carries the token’s user only', async () => {
    const seenAtStart = recording.seen.length
    await fc.assert(
      fc.asyncProperty(anyRequest(), async (request) => {
        const credential =
          request.token === undefined
            ? undefined
            : 'valid' in request.token
              ? valid[request.token.valid]?.token
              : 'invalid' in request.token
                ? invalid[request.token.invalid]
                : request.token.raw
        const headers: Record<string, string> = { 'content-type': 'application/json' }
        if (credential !== undefined) headers.authorization = `${request.scheme} ${credential}`
        if (request.claimedUserId !== undefined) headers['x-user-id'] = request.claimedUserId
        if (request.claimedInternalAuth !== undefined)
          headers['x-internal-auth'] = request.claimedInternalAuth
        const seenBefore = recording.seen.length

        await gateway.inject({ method: request.method as 'GET', url: request.path, headers, payload: '{}' })

        const reached = recording.seen.slice(seenBefore)
        const verified =
          request.token !== undefined && 'valid' in request.token && request.scheme.toLowerCase() === 'bearer'
        if (!verified) {
          expect(reached).toEqual([])
          return
        }
        const userId = valid[(request.token as { valid: number }).valid]?.userId
        for (const forwarded of reached) {
          expect(forwarded.headers['x-user-id']).toBe(userId)
          expect(forwarded.headers.authorization).toBeUndefined()
          expect(forwarded.headers['x-internal-auth']).toBe(INTERNAL_AUTH_TOKEN)
        }
      }),
      { numRuns: RUNS },
    )
    // The property would hold vacuously if nothing ever got through.
    expect(recording.seen.length - seenAtStart).toBeGreaterThan(0)
  }, 120_000)
})
