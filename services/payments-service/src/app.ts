import { createHttpApp, type Logger } from '@shop/platform'
import type pg from 'pg'
import { accountRoutes } from './http/accounts.routes.ts'

export interface PaymentsAppDeps {
  pool: pg.Pool
  logger: Logger
  readiness?: Record<string, () => Promise<boolean>>
}

export async function buildApp({ pool, logger, readiness }: PaymentsAppDeps) {
  const app = await createHttpApp({
    title: 'payments-service',
    description: 'Accounts, balances and exactly-once charging of orders.',
    logger,
    ...(readiness ? { readiness } : {}),
  })
  await app.register(accountRoutes, { pool })
  return app
}
