import { createHttpApp, type Logger, type ServiceMetrics } from '@shop/platform'
import type pg from 'pg'
import { orderRoutes } from './http/orders.routes.ts'

export interface OrdersAppDeps {
  pool: pg.Pool
  logger: Logger
  ordersTopic: string
  readiness?: Record<string, () => Promise<boolean>>
  metrics?: ServiceMetrics
}

export async function buildApp({ pool, logger, ordersTopic, readiness, metrics }: OrdersAppDeps) {
  const app = await createHttpApp({
    title: 'orders-service',
    description: 'Orders, accepted with a transactional outbox and settled from payment results.',
    logger,
    ...(readiness ? { readiness } : {}),
    ...(metrics ? { metrics } : {}),
  })
  await app.register(orderRoutes, { pool, ordersTopic })
  return app
}
