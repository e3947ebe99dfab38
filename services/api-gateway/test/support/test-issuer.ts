import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { createServer } from 'node:http'
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose'

type Algorithm = 'RS256' | 'ES256' | 'EdDSA'

interface SigningKey {
  kid: string
  alg: Algorithm
  privateKey: CryptoKey
  publicJwk: JWK
}

export interface TestIssuer {
  /** The issuer identifier, as `iss` and discovery say it: where it is served unless named otherwise. */
  url: string
  /** Where its discovery document is served. */
  discoveryUrl: string
  /** How many times the key set was fetched, and asked for (answered or not). */
  jwksFetches: number
  jwksRequests: number
  /** While true, requests for the key set (only) are dropped unanswered. */
  keysUnreachable: boolean
  /** While true, every connection is dropped unanswered: the issuer cannot be reached. */
  unreachable: boolean
  /** A token signed with the published key (or `key`), with the usual claims unless overridden. */
  sign(claims?: JWTPayload, options?: { key?: SigningKey; header?: Record<string, unknown> }): Promise<string>
  /** A new key pair, not published until `publish`. */
  newKey(alg?: Algorithm): Promise<SigningKey>
  /** Publishes exactly these keys in the key set (a rotation when the old one is left out). */
  publish(...keys: SigningKey[]): void
  /** The key tokens are signed with by default: the first one published. */
  current: SigningKey
  close(): Promise<void>
}

export const TEST_AUDIENCE = 'shop-api'

async function makeKey(alg: Algorithm = 'RS256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const kid = randomUUID()
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } }
}

/**
 * An OpenID issuer for tests: real HTTP discovery and a real JWKS, keys made by jose, tokens
 * signed with them. It lets a test rotate keys, sign with keys it never published, and go away.
 */
export async function startTestIssuer(options: { identifier?: string } = {}): Promise<TestIssuer> {
  let published: SigningKey[] = []
  const server = createServer((request, response) => {
    if (issuer.unreachable) {
      request.socket.destroy()
      return
    }
    if (request.url === '/.well-known/openid-configuration') {
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ issuer: issuer.url, jwks_uri: `${address}/jwks` }))
      return
    }
    if (request.url === '/jwks') {
      issuer.jwksRequests += 1
      if (issuer.keysUnreachable) {
        request.socket.destroy()
        return
      }
      issuer.jwksFetches += 1
      response.writeHead(200, { 'content-type': 'application/jwk-set+json' })
      response.end(JSON.stringify({ keys: published.map((key) => key.publicJwk) }))
      return
    }
    response.writeHead(404).end()
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  const first = await makeKey()
  published = [first]

  const issuer: TestIssuer = {
    url: options.identifier ?? address,
    discoveryUrl: `${address}/.well-known/openid-configuration`,
    jwksFetches: 0,
    jwksRequests: 0,
    keysUnreachable: false,
    unreachable: false,
    current: first,
    newKey: makeKey,
    publish(...keys) {
      published = keys
    },
    async sign(claims = {}, options = {}) {
      const key = options.key ?? issuer.current
      const now = Math.floor(Date.now() / 1000)
      return new SignJWT({
        iss: issuer.url,
        aud: TEST_AUDIENCE,
        sub: randomUUID(),
        iat: now,
        exp: now + 300,
        ...claims,
      })
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt', ...options.header })
        .sign(key.privateKey)
    },
    async close() {
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    },
  }
  return issuer
}
