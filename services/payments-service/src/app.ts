import { createHttpApp, type Logger, type ServiceMetrics } from '@shop/platform'
import type pg from 'pg'
import { accountRoutes } from './http/accounts.routes.ts'
import { statementRoutes } from './http/statement.routes.ts'

export interface PaymentsAppDeps {
  pool: pg.Pool
  logger: Logger
  readiness?: Record<string, () => Promise<boolean>>
  metrics?: ServiceMetrics
  /** INTERNAL_AUTH_TOKEN: when set, only requests that carry it (from the gateway) are served. */
  internalAuthToken?: string | undefined
}

export async function buildApp({ pool, logger, readiness, metrics, internalAuthToken }: PaymentsAppDeps) {
  const app = await createHttpApp({
    title: 'payments-service',
    description: 'Accounts, balances and exactly-once charging of orders.',
    logger,
    ...(readiness ? { readiness } : {}),
    ...(metrics ? { metrics } : {}),
    internalAuthToken,
  })
  await app.register(accountRoutes, { pool })
  await app.register(statementRoutes, { pool })
  return app
}
