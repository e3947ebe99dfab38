import { randomBytes } from 'node:crypto'
import { type DevIssuer, startDevIssuer } from '../../apps/dev-issuer/src/dev-issuer.ts'

/** The audience of the development issuer's access tokens for the shop's API. */
const DEV_AUDIENCE = 'shop-api'
const DEV_STOREFRONT_CLIENT = 'storefront'

export interface LocalAuth {
  /** What the gateway's environment adds: the issuer and audience, the internal token. */
  gateway: Record<string, string>
  /** What the services' environments add: the internal token. */
  services: Record<string, string>
  /** Lines for the start banner: where to sign in, and as whom. */
  banner: string
  /** The development issuer, when this started one. */
  issuer?: DevIssuer
}

/**
 * How `npm start` runs identity. In header mode (the default) nothing changes. With
 * AUTH_MODE=oidc the services get a fresh INTERNAL_AUTH_TOKEN (unless one is set) that only the
 * gateway sends, and without OIDC_ISSUER the development issuer (apps/dev-issuer, on
 * DEV_ISSUER_PORT, 8090 by default) is started and named as the gateway's issuer.
 */
export async function startLocalAuth(env: NodeJS.ProcessEnv, gatewayPort: number): Promise<LocalAuth> {
  if (env.AUTH_MODE !== 'oidc') return { gateway: {}, services: {}, banner: '' }
  const internal = { INTERNAL_AUTH_TOKEN: env.INTERNAL_AUTH_TOKEN ?? randomBytes(32).toString('base64url') }
  if (env.OIDC_ISSUER) {
    return {
      gateway: internal,
      services: internal,
      banner: `  identity          OpenID Connect, issuer ${env.OIDC_ISSUER}`,
    }
  }
  const issuer = await startDevIssuer({
    host: '127.0.0.1',
    port: Number(env.DEV_ISSUER_PORT ?? 8090),
    audience: DEV_AUDIENCE,
    storefront: {
      clientId: DEV_STOREFRONT_CLIENT,
      redirectUris: [`http://127.0.0.1:${gatewayPort}/`, `http://localhost:${gatewayPort}/`],
    },
  })
  const { clientId, clientSecret } = issuer.serviceClient
  return {
    issuer,
    services: internal,
    gateway: {
      ...internal,
      OIDC_ISSUER: issuer.url,
      OIDC_AUDIENCE: DEV_AUDIENCE,
      OIDC_CLIENT_ID: DEV_STOREFRONT_CLIENT,
    },
    banner: `  identity          OpenID Connect, development issuer ${issuer.url} (oidc-provider)
    sign in as        ${issuer.users.map((user) => user.login).join(', ')} (any password)
    machine client    ${clientId} / ${clientSecret}: curl -s -u ${clientId}:${clientSecret} -d grant_type=client_credentials ${issuer.url}/token`,
  }
}
