import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { createPool, messagingMigrations, migrate } from '@shop/platform'
import type pg from 'pg'
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/database.ts'
import { testLogger } from '../../../../tests/support/logger.ts'
import { buildApp } from '../../src/app.ts'

export const ORDERS_SCHEMA = 'orders'
export const ordersMigrations = [
  messagingMigrations,
  { name: 'orders', directory: fileURLToPath(new URL('../../migrations', import.meta.url)) },
]

export interface OrdersHarness {
  db: TestDatabase
  pool: pg.Pool
  app: Awaited<ReturnType<typeof buildApp>>
  /** A topic name no other test file uses, so files never see each other's messages. */
  ordersTopic: string
  /** Places an order through HTTP, as a client would, and returns its id. */
  placeOrder(userId: string, amount: number): Promise<string>
  /** The order as GET /orders/{order_id} shows it to its owner. */
  viewOrder(orderId: string, userId: string): Promise<Record<string, unknown>>
  close(): Promise<void>
}

/** A unique topic name; the embedded log lives in the file's own database, but names stay apart anyway. */
export const uniqueTopic = (prefix: string) => `${prefix}.${randomBytes(4).toString('hex')}`

/**
 * The real orders-service app on its own migrated database, as server.ts composes it minus the
 * listening socket: tests inject requests and read the tables directly.
 */
export async function startOrdersHarness({ poolSize }: { poolSize?: number } = {}): Promise<OrdersHarness> {
  const db = await createTestDatabase()
  const pool = createPool({
    connectionString: db.url,
    schema: ORDERS_SCHEMA,
    applicationName: 'orders-test',
    ...(poolSize ? { max: poolSize } : {}),
  })
  await migrate(pool, ORDERS_SCHEMA, ordersMigrations)
  const ordersTopic = uniqueTopic('orders')
  const app = await buildApp({ pool, logger: testLogger, ordersTopic })
  await app.ready()
  return {
    db,
    pool,
    app,
    ordersTopic,
    async placeOrder(userId, amount) {
      const response = await app.inject({
        method: 'POST',
        url: '/orders',
        headers: { 'x-user-id': userId },
        payload: { amount },
      })
      if (response.statusCode !== 201)
        throw new Error(`order not placed: ${response.statusCode} ${response.body}`)
      return response.json().id
    },
    async viewOrder(orderId, userId) {
      const response = await app.inject({
        method: 'GET',
        url: `/orders/${orderId}`,
        headers: { 'x-user-id': userId },
      })
      return response.json()
    },
    async close() {
      await app.close()
      await pool.end()
      await db.drop()
    },
  }
}

/** Rows of the outbox written for one order id (the message key). */
export async function outboxRowsFor(pool: pg.Pool, orderId: string) {
  const { rows } = await pool.query<{
    topic: string
    message_key: string
    value: string
    published_at: Date | null
  }>('SELECT topic, message_key, value, published_at FROM outbox WHERE message_key = $1', [orderId])
  return rows
}

/** How many orders and outbox rows exist at all: a rejected request must leave both unchanged. */
export async function countRows(pool: pg.Pool): Promise<{ orders: number; outbox: number }> {
  const { rows } = await pool.query<{ orders: number; outbox: number }>(
    'SELECT (SELECT count(*)::int FROM orders) AS orders, (SELECT count(*)::int FROM outbox) AS outbox',
  )
  return rows[0] as { orders: number; outbox: number }
}
