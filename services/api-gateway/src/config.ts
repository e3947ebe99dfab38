import { commonSettings, httpServerSettings, internalAuthSettings, telemetrySettings } from '@shop/platform'
import { type Static, Type } from 'typebox'

const HttpUrl = Type.String({ pattern: '^https?://[^/\\s]+/?$' })

export const GatewayConfig = Type.Object({
  ...httpServerSettings,
  ...telemetrySettings,
  ...internalAuthSettings,
  LOG_LEVEL: commonSettings.LOG_LEVEL,
  /** HTTP port of the gateway: the only public entry. */
  PORT: Type.Integer({ default: 8000, minimum: 0, maximum: 65535 }),
  /** Where orders-service listens. */
  ORDERS_SERVICE_URL: Type.String({ ...HttpUrl, default: 'http://127.0.0.1:8001' }),
  /** Where payments-service listens. */
  PAYMENTS_SERVICE_URL: Type.String({ ...HttpUrl, default: 'http://127.0.0.1:8002' }),
  /** How long the gateway waits for a service's answer before it answers 504 itself. */
  UPSTREAM_TIMEOUT_MS: Type.Integer({ default: 5_000, minimum: 100, maximum: 120_000 }),
  /**
   * Business requests one user (X-User-Id) may make per minute before the gateway answers 429
   * `rate_limited` with Retry-After; 0 turns the limit off. Probes and docs are never limited.
   */
  RATE_LIMIT_PER_MINUTE: Type.Integer({ default: 1_200, minimum: 0, maximum: 1_000_000 }),
  /**
   * Business requests one client address may make per minute, counted before the caller is
   * identified, so forged or invented identities cannot dodge it; 0 (the default) turns it off,
   * as behind a proxy, where every client has the proxy's address.
   */
  RATE_LIMIT_PER_IP_PER_MINUTE: Type.Integer({ default: 0, minimum: 0, maximum: 10_000_000 }),
  /** `header`: the caller is whatever X-User-Id says; `oidc`: a verified OpenID Connect access token says. */
  AUTH_MODE: Type.Union([Type.Literal('header'), Type.Literal('oidc')], { default: 'header' }),
  /** oidc mode: the issuer's URL; its keys are found through `/.well-known/openid-configuration`. */
  OIDC_ISSUER: Type.Optional(Type.String({ pattern: '^https?://[^\\s]+$' })),
  /**
   * oidc mode: where the gateway reads the issuer's discovery document, when the issuer's own URL
   * does not reach it from here (an issuer in another container); defaults to the issuer's.
   */
  OIDC_DISCOVERY_URL: Type.Optional(Type.String({ pattern: '^https?://[^\\s]+$' })),
  /** oidc mode: the audience (`aud`) an access token must name to be accepted here. */
  OIDC_AUDIENCE: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  /** oidc mode: the claim that names the user; a value that is not a UUID is mapped to a UUID v5 of issuer and value. */
  OIDC_USER_CLAIM: Type.String({ default: 'sub', minLength: 1, maxLength: 200 }),
  /** oidc mode: the public client the storefront signs in as (Authorization Code with PKCE). */
  OIDC_CLIENT_ID: Type.String({ default: 'storefront', minLength: 1, maxLength: 200 }),
  /**
   * oidc mode: the key WebSocket tickets are signed with (at least 32 characters); every gateway
   * instance behind one address needs the same. Unset, each process makes its own at start.
   */
  WS_TICKET_SECRET: Type.Optional(Type.String({ minLength: 32, maxLength: 1024 })),
})

export type GatewayConfig = Static<typeof GatewayConfig>

/** What the schema alone cannot say: oidc mode needs an issuer and an audience. */
export function authSettingsViolation(config: GatewayConfig): string | undefined {
  if (config.AUTH_MODE !== 'oidc') return undefined
  const missing = (['OIDC_ISSUER', 'OIDC_AUDIENCE'] as const).filter((name) => config[name] === undefined)
  return missing.length === 0
    ? undefined
    : missing.map((name) => `${name}: is required when AUTH_MODE is oidc`).join('\n  ')
}
