import type { Logger } from '@shop/platform'
import type { GatewayConfig } from '../config.ts'
import type { AuthSettingsForPages } from '../http/auth-routes.ts'
import { accessTokenVerifier } from './access-token-verifier.ts'
import { type CallerIdentity, headerIdentity, oidcIdentity } from './caller-identity.ts'
import { webSocketTickets } from './ws-tickets.ts'

export type AuthConfig = Pick<
  GatewayConfig,
  | 'AUTH_MODE'
  | 'OIDC_ISSUER'
  | 'OIDC_DISCOVERY_URL'
  | 'OIDC_AUDIENCE'
  | 'OIDC_USER_CLAIM'
  | 'OIDC_CLIENT_ID'
  | 'WS_TICKET_SECRET'
> &
  Partial<Pick<GatewayConfig, 'INTERNAL_AUTH_TOKEN'>>

/** How quickly the gateway goes back to the issuer for keys; tests shorten it. */
export interface IssuerKeyTiming {
  keyRefetchCooldownMs?: number
  keyRefreshMs?: number
  issuerTimeoutMs?: number
}

/** The caller identity the settings ask for, and what the pages are told about it. */
export function identityOfConfig(
  config: AuthConfig,
  logger: Logger,
  timing: IssuerKeyTiming = {},
): { identity: CallerIdentity; forPages: AuthSettingsForPages } {
  if (config.AUTH_MODE === 'header') {
    return { identity: headerIdentity(config.INTERNAL_AUTH_TOKEN), forPages: { mode: 'header' } }
  }
  const { OIDC_ISSUER: issuer, OIDC_AUDIENCE: audience } = config
  if (issuer === undefined || audience === undefined) {
    throw new Error('AUTH_MODE=oidc needs OIDC_ISSUER and OIDC_AUDIENCE')
  }
  const verify = accessTokenVerifier({
    issuer,
    discoveryUrl: config.OIDC_DISCOVERY_URL,
    audience,
    userClaim: config.OIDC_USER_CLAIM,
    ...timing,
    onKeyRefreshFailed: (error) => logger.warn({ err: error, issuer }, 'issuer keys could not be refreshed'),
  })
  return {
    identity: oidcIdentity({
      verify,
      tickets: webSocketTickets(config.WS_TICKET_SECRET),
      internalAuthToken: config.INTERNAL_AUTH_TOKEN,
    }),
    forPages: { mode: 'oidc', issuer, client_id: config.OIDC_CLIENT_ID, audience },
  }
}
