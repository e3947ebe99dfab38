import { createHttpApp, type Logger } from '@shop/platform'
import type pg from 'pg'
import { orderRoutes } from './http/orders.routes.ts'

export interface OrdersAppDeps {
  pool: pg.Pool
  logger: Logger
  ordersTopic: string
  readiness?: Record<string, () => Promise<boolean>>
}

export async function buildApp({ pool, logger, ordersTopic, readiness }: OrdersAppDeps) {
  const app = await createHttpApp({
    title: 'orders-service',
    description: 'Orders, accepted with a transactional outbox and settled from payment results.',
    logger,
    ...(readiness ? { readiness } : {}),
  })
  await app.register(orderRoutes, { pool, ordersTopic })
  return app
}
