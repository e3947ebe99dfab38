import { createHttpApp, type Logger, type ServiceMetrics } from '@shop/platform'
import type pg from 'pg'
import { liveOrderRoutes } from './http/live-orders.routes.ts'
import { orderRoutes } from './http/orders.routes.ts'
import { refundRoutes } from './http/refunds.routes.ts'

export interface OrdersAppDeps {
  pool: pg.Pool
  logger: Logger
  ordersTopic: string
  readiness?: Record<string, () => Promise<boolean>>
  metrics?: ServiceMetrics
  /** INTERNAL_AUTH_TOKEN: when set, only requests that carry it (from the gateway) are served. */
  internalAuthToken?: string | undefined
  /** The database to LISTEN on for status changes; without it there is no live WebSocket route. */
  databaseUrl?: string
}

export async function buildApp({
  pool,
  logger,
  ordersTopic,
  readiness,
  metrics,
  databaseUrl,
  internalAuthToken,
}: OrdersAppDeps) {
  const app = await createHttpApp({
    title: 'orders-service',
    description: 'Orders, accepted with a transactional outbox and settled from payment results.',
    logger,
    ...(readiness ? { readiness } : {}),
    ...(metrics ? { metrics } : {}),
    internalAuthToken,
  })
  await app.register(orderRoutes, { pool, ordersTopic })
  await app.register(refundRoutes, { pool, ordersTopic })
  if (databaseUrl) await app.register(liveOrderRoutes, { databaseUrl, logger })
  return app
}
