import { createRemoteJWKSet, errors, type JWTVerifyGetKey } from 'jose'

/** The issuer's discovery document or key set could not be read: no verdict on the token is possible. */
export class IssuerUnreachable extends Error {
  override name = 'IssuerUnreachable'
}

export interface IssuerKeysOptions {
  /** OIDC_ISSUER, exactly as the tokens' `iss` and the discovery document's `issuer` say it. */
  issuer: string
  /** Where the discovery document is read: the issuer's own (`discoveryUrlOf`) unless said otherwise. */
  discoveryUrl: URL
  /** Least time between two fetches caused by an unknown `kid` (or a failed discovery). */
  cooldownMs: number
  /** Age after which the cached key set is fetched again, in the background. */
  refreshMs: number
  /** How long one fetch of the discovery document or the key set may take. */
  timeoutMs: number
  onRefreshFailed(error: unknown): void
}

type RemoteKeySet = ReturnType<typeof createRemoteJWKSet>

/** Errors of the key lookup that are about the token (its `kid` or `alg`), not about the issuer. */
const TOKEN_ERRORS = [errors.JWKSNoMatchingKey, errors.JWKSMultipleMatchingKeys]

/** Where OpenID Connect Discovery 1.0 says an issuer's metadata is: below the issuer, trailing slash or not. */
export const discoveryUrlOf = (issuer: string) =>
  new URL(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`)

async function discoverJwksUri(issuer: string, discoveryUrl: URL, timeoutMs: number): Promise<URL> {
  const response = await fetch(discoveryUrl, {
    signal: AbortSignal.timeout(timeoutMs),
    redirect: 'error',
    headers: { accept: 'application/json' },
  })
  if (response.status !== 200) throw new Error(`discovery answered ${response.status}`)
  const metadata = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown }
  // Discovery 4.3: metadata that names another issuer must not be used.
  if (metadata.issuer !== issuer) throw new Error(`discovery names the issuer ${String(metadata.issuer)}`)
  if (typeof metadata.jwks_uri !== 'string') throw new Error('discovery names no jwks_uri')
  return new URL(metadata.jwks_uri)
}

/**
 * The issuer's signing keys, as a key lookup for jose's jwtVerify. The key set is found through
 * OpenID discovery, fetched once and cached. A token whose `kid` is not in the cache fetches it
 * again (at most once per `cooldownMs`), so a rotated key works within seconds, no restart. A key
 * set older than `refreshMs` is refreshed in the background while the cached one keeps answering,
 * so an issuer that is down costs only the tokens whose keys were never fetched (IssuerUnreachable),
 * never those already cached.
 */
export function issuerKeys(options: IssuerKeysOptions): JWTVerifyGetKey {
  let keySet: RemoteKeySet | undefined
  let fetchedAt = 0
  let discovery: Promise<RemoteKeySet> | undefined
  let lastFailedAt = Number.NEGATIVE_INFINITY
  const failedLately = () => Date.now() - lastFailedAt < options.cooldownMs

  const discover = async (): Promise<RemoteKeySet> => {
    discovery ??= discoverJwksUri(options.issuer, options.discoveryUrl, options.timeoutMs)
      .then((jwksUri) => {
        const remote = createRemoteJWKSet(jwksUri, {
          cooldownDuration: options.cooldownMs,
          // Never waits for the issuer because of age: the background refresh below keeps it current.
          cacheMaxAge: Number.POSITIVE_INFINITY,
          timeoutDuration: options.timeoutMs,
        })
        keySet = remote
        fetchedAt = Date.now()
        return remote
      })
      .catch((error: unknown) => {
        lastFailedAt = Date.now()
        throw new IssuerUnreachable(`discovery failed: ${(error as Error).message}`, { cause: error })
      })
      .finally(() => {
        discovery = undefined
      })
    return discovery
  }

  return async (protectedHeader, token) => {
    // Until the keys were fetched once, a failure is not retried within the cooldown: an issuer
    // that is down is not asked again by every request, each waiting for its timeout.
    if (keySet?.jwks() === undefined && failedLately()) {
      throw new IssuerUnreachable('the issuer could not be reached a moment ago')
    }
    const remote = keySet ?? (await discover())
    if (Date.now() - fetchedAt > options.refreshMs && !remote.reloading) {
      fetchedAt = Date.now()
      remote.reload().catch(options.onRefreshFailed)
    }
    try {
      return await remote(protectedHeader, token)
    } catch (error) {
      if (TOKEN_ERRORS.some((kind) => error instanceof kind)) throw error
      lastFailedAt = Date.now()
      throw new IssuerUnreachable(`the key set could not be fetched: ${(error as Error).message}`, {
        cause: error,
      })
    }
  }
}
