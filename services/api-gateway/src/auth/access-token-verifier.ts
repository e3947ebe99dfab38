import { errors, jwtVerify } from 'jose'
import { discoveryUrlOf, IssuerUnreachable, issuerKeys } from './issuer-keys.ts'
import { userIdOfClaim } from './user-id-of-claim.ts'

/** Asymmetric only: a shared-secret (HS*) or unsigned (`none`) token is refused before any key is looked up. */
export const ACCEPTED_ALGORITHMS = ['RS256', 'ES256', 'EdDSA']
/** Clocks of the issuer and the gateway may differ this much when `exp` and `nbf` are checked. */
const CLOCK_TOLERANCE_SECONDS = 30

export interface AccessTokenVerifierOptions {
  issuer: string
  /** Where the issuer's discovery document is read, when not below the issuer URL itself. */
  discoveryUrl?: string | undefined
  audience: string
  /** The claim that names the user (OIDC_USER_CLAIM). */
  userClaim: string
  /** Least time between two key set fetches caused by unknown `kid`s. */
  keyRefetchCooldownMs?: number
  /** Age after which the cached key set is refreshed in the background. */
  keyRefreshMs?: number
  /** How long a fetch from the issuer may take. */
  issuerTimeoutMs?: number
  onKeyRefreshFailed(error: unknown): void
}

/** Why a token was refused, in words for RFC 6750's error_description: never a part of the token. */
export class TokenRefused extends Error {
  override name = 'TokenRefused'
}

const REASONS: Record<string, string> = {
  ERR_JWT_EXPIRED: 'The token has expired',
  ERR_JOSE_ALG_NOT_ALLOWED: 'The token is not signed with an accepted algorithm',
  ERR_JWKS_NO_MATCHING_KEY: 'The token is signed with a key the issuer does not publish',
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: 'The token does not say which of the issuer keys signed it',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'The token signature is invalid',
  ERR_JOSE_NOT_SUPPORTED: 'The token is not signed with an accepted algorithm',
}

function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTClaimValidationFailed) {
    return error.claim === 'nbf'
      ? 'The token is not valid yet'
      : `The token ${error.claim} claim is not accepted`
  }
  if (error instanceof errors.JOSEError) return REASONS[error.code] ?? 'The token is malformed'
  return 'The token is malformed'
}

/**
 * Verifies an OpenID Connect access token (a JWT) as the gateway must: signed with one of the
 * issuer's published asymmetric keys, by the configured issuer, for this audience, within its
 * `exp` and `nbf`. Answers the caller's user id, or throws TokenRefused (401) or
 * IssuerUnreachable (503: the token's key could not be fetched).
 */
export function accessTokenVerifier(options: AccessTokenVerifierOptions) {
  const keys = issuerKeys({
    issuer: options.issuer,
    discoveryUrl: options.discoveryUrl ? new URL(options.discoveryUrl) : discoveryUrlOf(options.issuer),
    cooldownMs: options.keyRefetchCooldownMs ?? 5_000,
    refreshMs: options.keyRefreshMs ?? 10 * 60_000,
    timeoutMs: options.issuerTimeoutMs ?? 3_000,
    onRefreshFailed: options.onKeyRefreshFailed,
  })

  return async function verify(token: string): Promise<string> {
    let claims: Record<string, unknown>
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ACCEPTED_ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp'],
      })
      claims = payload
    } catch (error) {
      if (error instanceof IssuerUnreachable) throw error
      throw new TokenRefused(reasonOf(error), { cause: error })
    }
    const userId = userIdOfClaim(options.issuer, claims[options.userClaim])
    if (userId === undefined)
      throw new TokenRefused(`The token has no ${options.userClaim} claim naming the user`)
    return userId
  }
}

export type AccessTokenVerifier = ReturnType<typeof accessTokenVerifier>
