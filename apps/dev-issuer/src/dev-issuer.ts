import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair } from 'jose'
import Provider, { type Configuration } from 'oidc-provider'
import { DEMO_USERS, type DemoUser, demoUser } from './demo-users.ts'

export { DEMO_USERS, type DemoUser }

/** The resource indicator (RFC 8707) of the shop's API; access tokens for it name `audience`. */
export const SHOP_API_RESOURCE = 'urn:shop:api'
/** The confidential client of machine callers (tests, curl): client_credentials only. */
export const SERVICE_CLIENT_ID = 'shop-cli'

export interface DevIssuerOptions {
  host: string
  /** 0 for any free port. */
  port: number
  /** The `aud` of access tokens for the shop's API: the gateway's OIDC_AUDIENCE. */
  audience: string
  /** The storefront's public client: its id and where it may be sent back to after sign-in and sign-out. */
  storefront: { clientId: string; redirectUris: string[] }
  /** The service client's secret; a random one when not given. */
  serviceClientSecret?: string
}

export interface DevIssuer {
  /** The issuer URL: the gateway's OIDC_ISSUER. */
  url: string
  serviceClient: { clientId: string; clientSecret: string }
  users: readonly DemoUser[]
  close(): Promise<void>
}

const ACCESS_TOKEN_TTL_SECONDS = 5 * 60

/**
 * A local OpenID Connect issuer for development and tests, made of oidc-provider (OpenID
 * Certified): discovery, JWKS, Authorization Code with PKCE for the storefront (its own sign-in
 * page; consent is implied for this first-party client), client_credentials for the service
 * client, refresh tokens and RP-initiated logout. Access tokens for the shop's API are JWTs
 * signed with a key made at start. Keys, sessions and tokens live in memory: a restart signs
 * everyone out. For development only: any password is accepted for the demo users.
 */
export async function startDevIssuer(options: DevIssuerOptions): Promise<DevIssuer> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true })
  const signingKey = {
    ...(await exportJWK(privateKey)),
    alg: 'RS256',
    use: 'sig',
    kid: randomBytes(8).toString('hex'),
  }
  const clientSecret = options.serviceClientSecret ?? randomBytes(24).toString('base64url')
  // Listening first: the issuer URL names the port, which with port 0 is known only then.
  const server = createServer()
  server.listen(options.port, options.host)
  await once(server, 'listening')
  const url = `http://${options.host}:${(server.address() as AddressInfo).port}`

  const resourceServer = {
    scope: 'shop',
    audience: options.audience,
    accessTokenTTL: ACCESS_TOKEN_TTL_SECONDS,
    accessTokenFormat: 'jwt',
    jwt: { sign: { alg: 'RS256' } },
  } as const

  const configuration: Configuration = {
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    clients: [
      {
        client_id: options.storefront.clientId,
        token_endpoint_auth_method: 'none',
        application_type: 'web',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: options.storefront.redirectUris,
        post_logout_redirect_uris: options.storefront.redirectUris,
      },
      {
        client_id: SERVICE_CLIENT_ID,
        client_secret: clientSecret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      },
    ],
    scopes: ['openid', 'profile', 'offline_access'],
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'] },
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => SHOP_API_RESOURCE,
        useGrantedResource: async () => true,
        getResourceServerInfo: async () => resourceServer,
      },
    },
    // The storefront is first-party: signing in is consent enough, so no consent page is shown.
    loadExistingGrant: async (ctx) => {
      const { client, session, provider } = ctx.oidc
      if (!client || !session?.accountId) return undefined
      const grantId = session.grantIdFor(client.clientId)
      if (grantId) return provider.Grant.find(grantId)
      const grant = new provider.Grant({ clientId: client.clientId, accountId: session.accountId })
      grant.addOIDCScope('openid profile offline_access')
      grant.addResourceScope(SHOP_API_RESOURCE, 'shop')
      await grant.save()
      session.ensureClientContainer(client.clientId)
      session.grantIdFor(client.clientId, grant.jti)
      return grant
    },
    // A page renews its tokens with a refresh token, without a hidden iframe.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    findAccount: async (_ctx, id) => {
      const user = demoUser(id)
      if (!user) return undefined
      return {
        accountId: user.login,
        claims: async () => ({ sub: user.login, name: user.name, preferred_username: user.login }),
      }
    },
    ttl: { AccessToken: ACCESS_TOKEN_TTL_SECONDS, Session: 24 * 3600 },
  }

  const provider = new Provider(url, configuration)
  server.on('request', provider.callback())
  return {
    url,
    serviceClient: { clientId: SERVICE_CLIENT_ID, clientSecret },
    users: DEMO_USERS,
    async close() {
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    },
  }
}
