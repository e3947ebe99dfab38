import {
  AccountRoutes,
  atTheGateway,
  BEARER_SECURITY_SCHEMES,
  OrderRoutes,
  withBearerAuth,
} from '@shop/contracts'
import { createHttpApp, type Logger, type ServiceMetrics } from '@shop/platform'
import { type AuthConfig, type IssuerKeyTiming, identityOfConfig } from './auth/identity-of-config.ts'
import type { GatewayConfig } from './config.ts'
import { authRoutes } from './http/auth-routes.ts'
import { EVENT_DOCS_URL, eventDocs } from './http/event-docs.ts'
import { forwardRoutes } from './http/forward.ts'
import { liveStatusProxy } from './http/live-status-proxy.ts'
import { rateLimits } from './http/rate-limit.ts'
import { storefront } from './http/storefront.ts'

export interface GatewayDeps {
  config: Pick<
    GatewayConfig,
    'ORDERS_SERVICE_URL' | 'PAYMENTS_SERVICE_URL' | 'UPSTREAM_TIMEOUT_MS' | 'RATE_LIMIT_PER_MINUTE'
  > &
    Partial<Pick<GatewayConfig, 'RATE_LIMIT_PER_IP_PER_MINUTE'>> &
    Partial<AuthConfig>
  logger: Logger
  metrics?: ServiceMetrics
  /** How quickly the issuer is asked again for keys (oidc mode); the defaults suit production. */
  issuerKeyTiming?: IssuerKeyTiming
}

/** Ready when both services answer their own readiness check. */
const upstreamReady = (base: string, timeoutMs: number) => async () => {
  const response = await fetch(new URL('/ready', base), { signal: AbortSignal.timeout(timeoutMs) })
  await response.body?.cancel()
  return response.status === 200
}

const IDENTITY_IN_WORDS = {
  header: 'Every business route needs `X-User-Id: <uuid>`',
  oidc:
    'Every business route needs `Authorization: Bearer <access token>` of the configured OpenID Connect issuer ' +
    '(X-User-Id is ignored: the gateway takes the user from the token); the WebSocket needs a ticket from `POST /ws/tickets`',
}

export async function buildApp({ config, logger, metrics, issuerKeyTiming }: GatewayDeps) {
  const { identity, forPages } = identityOfConfig(
    {
      AUTH_MODE: config.AUTH_MODE ?? 'header',
      OIDC_ISSUER: config.OIDC_ISSUER,
      OIDC_DISCOVERY_URL: config.OIDC_DISCOVERY_URL,
      OIDC_AUDIENCE: config.OIDC_AUDIENCE,
      OIDC_USER_CLAIM: config.OIDC_USER_CLAIM ?? 'sub',
      OIDC_CLIENT_ID: config.OIDC_CLIENT_ID ?? 'storefront',
      WS_TICKET_SECRET: config.WS_TICKET_SECRET,
      INTERNAL_AUTH_TOKEN: config.INTERNAL_AUTH_TOKEN,
    },
    logger,
    issuerKeyTiming,
  )
  const oidc = identity.mode === 'oidc'
  const app = await createHttpApp({
    title: 'Shop API',
    description:
      'The public API of the shop: accounts and balances, and orders that are paid asynchronously, exactly once. ' +
      `${IDENTITY_IN_WORDS[identity.mode]}; errors are application/problem+json with a stable \`code\`. ` +
      `The events the services exchange are described by the AsyncAPI document at \`${EVENT_DOCS_URL}\`.`,
    logger,
    ...(metrics ? { metrics } : {}),
    readiness: {
      orders: upstreamReady(config.ORDERS_SERVICE_URL, config.UPSTREAM_TIMEOUT_MS),
      payments: upstreamReady(config.PAYMENTS_SERVICE_URL, config.UPSTREAM_TIMEOUT_MS),
    },
    userIdHeaderTrusted: !oidc,
    ...(oidc ? { securitySchemes: BEARER_SECURITY_SCHEMES } : {}),
  })
  // One set of limiters for every route, so a caller's budget covers every business route together.
  const limits = await rateLimits(app, {
    perUserPerMinute: config.RATE_LIMIT_PER_MINUTE,
    perIpPerMinute: config.RATE_LIMIT_PER_IP_PER_MINUTE ?? 0,
  })
  const asServed = oidc
    ? (routes: object) => Object.values(routes).map(atTheGateway).map(withBearerAuth)
    : (routes: object) => Object.values(routes).map(atTheGateway)
  await app.register(forwardRoutes, {
    upstream: config.PAYMENTS_SERVICE_URL,
    routes: asServed(AccountRoutes),
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
    identity,
    rateLimits: limits,
  })
  await app.register(forwardRoutes, {
    upstream: config.ORDERS_SERVICE_URL,
    routes: asServed(OrderRoutes),
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
    identity,
    rateLimits: limits,
  })
  await app.register(liveStatusProxy, {
    upstream: config.ORDERS_SERVICE_URL,
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
    identity,
    rateLimits: limits,
  })
  await app.register(authRoutes, { identity, rateLimits: limits, forPages })
  await app.register(eventDocs)
  await app.register(storefront, { issuer: forPages.mode === 'oidc' ? forPages.issuer : undefined })
  return app
}
