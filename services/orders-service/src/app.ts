import { createHttpApp, type Logger, type ServiceMetrics } from '@shop/platform'
import type pg from 'pg'
import { DEFAULT_ORDER_BATCH_WINDOW_MS } from './config.ts'
import { createOrderIntake } from './domain/order-intake.ts'
import { liveOrderRoutes } from './http/live-orders.routes.ts'
import { orderRoutes } from './http/orders.routes.ts'
import { refundRoutes } from './http/refunds.routes.ts'

export interface OrdersAppDeps {
  pool: pg.Pool
  logger: Logger
  ordersTopic: string
  /** ORDER_BATCH_WINDOW_MS: how long an order waits for others to share its commit; 0 is none. */
  orderBatchWindowMs?: number
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
  orderBatchWindowMs = DEFAULT_ORDER_BATCH_WINDOW_MS,
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
  const intake = createOrderIntake(pool, ordersTopic, orderBatchWindowMs)
  // Orders still waiting for their batch are written and answered before the pool closes.
  app.addHook('onClose', () => intake.close())
  await app.register(orderRoutes, { pool, intake })
  await app.register(refundRoutes, { pool, ordersTopic })
  if (databaseUrl) await app.register(liveOrderRoutes, { databaseUrl, logger })
  return app
}
