import { fileURLToPath } from 'node:url'
import { createPool, messagingMigrations, migrate } from '@shop/platform'
import { createTestDatabase } from '../../../../tests/support/database.ts'
import { testLogger } from '../../../../tests/support/logger.ts'
import { buildApp as buildOrdersApp } from '../../../orders-service/src/app.ts'
import { buildApp as buildPaymentsApp } from '../../../payments-service/src/app.ts'

export interface RealUpstreams {
  ordersUrl: string
  paymentsUrl: string
  /** Every row both services keep, so comparing two readings shows whether a request wrote anything. */
  stored(): Promise<Record<string, unknown[]>>
  close(): Promise<void>
}

const STORED_TABLES = [
  'orders.orders',
  'orders.outbox',
  'orders.idempotency_keys',
  'orders.refunds',
  'payments.accounts',
  'payments.payments',
  'payments.ledger_entries',
  'payments.refunds',
  'payments.outbox',
  'payments.idempotency_keys',
]

// One statement, so the reading is consistent; both schemas live in the one test database.
const STORED_SQL = `SELECT ${STORED_TABLES.map(
  (table, index) =>
    `(SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY to_jsonb(t)::text), '[]') FROM ${table} t) AS t${index}`,
).join(', ')}`

const migrationsOf = (service: 'orders' | 'payments') => [
  messagingMigrations,
  {
    name: service,
    directory: fileURLToPath(new URL(`../../../${service}-service/migrations`, import.meta.url)),
  },
]

/**
 * The real orders-service and payments-service HTTP apps, listening on loopback port 0, each with
 * its own pool and schema in one fresh database: the gateway then talks real HTTP to real code.
 * No consumers or relays run, so orders stay NEW; forwarding is what these tests are about.
 */
export async function startRealUpstreams(
  options: { internalAuthToken?: string } = {},
): Promise<RealUpstreams> {
  const db = await createTestDatabase()
  const ordersPool = createPool({
    connectionString: db.url,
    schema: 'orders',
    applicationName: 'orders-test',
  })
  const paymentsPool = createPool({
    connectionString: db.url,
    schema: 'payments',
    applicationName: 'payments-test',
  })
  await migrate(ordersPool, 'orders', migrationsOf('orders'))
  await migrate(paymentsPool, 'payments', migrationsOf('payments'))

  const orders = await buildOrdersApp({
    pool: ordersPool,
    logger: testLogger,
    ordersTopic: 'gateway-test.orders',
    internalAuthToken: options.internalAuthToken,
  })
  const payments = await buildPaymentsApp({
    pool: paymentsPool,
    logger: testLogger,
    internalAuthToken: options.internalAuthToken,
  })
  const ordersUrl = await orders.listen({ port: 0, host: '127.0.0.1' })
  const paymentsUrl = await payments.listen({ port: 0, host: '127.0.0.1' })

  return {
    ordersUrl,
    paymentsUrl,
    async stored() {
      const { rows } = await ordersPool.query<Record<string, unknown[]>>(STORED_SQL)
      return Object.fromEntries(STORED_TABLES.map((table, index) => [table, rows[0]?.[`t${index}`] ?? []]))
    },
    async close() {
      await Promise.all([orders.close(), payments.close()])
      await Promise.all([ordersPool.end(), paymentsPool.end()])
      await db.drop()
    },
  }
}
