import { AccountRoutes, atTheGateway, OrderRoutes } from '@shop/contracts'
import { createHttpApp, type Logger, type ServiceMetrics } from '@shop/platform'
import type { GatewayConfig } from './config.ts'
import { EVENT_DOCS_URL, eventDocs } from './http/event-docs.ts'
import { forwardRoutes } from './http/forward.ts'
import { liveStatusProxy } from './http/live-status-proxy.ts'
import { perCallerRateLimit } from './http/rate-limit.ts'
import { storefront } from './http/storefront.ts'

export interface GatewayDeps {
  config: Pick<
    GatewayConfig,
    'ORDERS_SERVICE_URL' | 'PAYMENTS_SERVICE_URL' | 'UPSTREAM_TIMEOUT_MS' | 'RATE_LIMIT_PER_MINUTE'
  >
  logger: Logger
  metrics?: ServiceMetrics
}

/** Ready when both services answer their own readiness check. */
const upstreamReady = (base: string, timeoutMs: number) => async () => {
  const response = await fetch(new URL('/ready', base), { signal: AbortSignal.timeout(timeoutMs) })
  await response.body?.cancel()
  return response.status === 200
}

export async function buildApp({ config, logger, metrics }: GatewayDeps) {
  const app = await createHttpApp({
    title: 'Shop API',
    description:
      'The public API of the shop: accounts and balances, and orders that are paid asynchronously, exactly once. ' +
      'Every business route needs `X-User-Id: <uuid>`; errors are application/problem+json with a stable `code`. ' +
      `The events the services exchange are described by the AsyncAPI document at \`${EVENT_DOCS_URL}\`.`,
    logger,
    ...(metrics ? { metrics } : {}),
    readiness: {
      orders: upstreamReady(config.ORDERS_SERVICE_URL, config.UPSTREAM_TIMEOUT_MS),
      payments: upstreamReady(config.PAYMENTS_SERVICE_URL, config.UPSTREAM_TIMEOUT_MS),
    },
  })
  // One limiter for both upstreams, so a user's budget covers every business route together.
  const rateLimit = await perCallerRateLimit(app, config.RATE_LIMIT_PER_MINUTE)
  await app.register(forwardRoutes, {
    upstream: config.PAYMENTS_SERVICE_URL,
    routes: Object.values(AccountRoutes).map(atTheGateway),
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
    ...(rateLimit ? { rateLimit } : {}),
  })
  await app.register(forwardRoutes, {
    upstream: config.ORDERS_SERVICE_URL,
    routes: Object.values(OrderRoutes).map(atTheGateway),
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
    ...(rateLimit ? { rateLimit } : {}),
  })
  await app.register(liveStatusProxy, {
    upstream: config.ORDERS_SERVICE_URL,
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
    ...(rateLimit ? { rateLimit } : {}),
  })
  await app.register(eventDocs)
  await app.register(storefront)
  return app
}
