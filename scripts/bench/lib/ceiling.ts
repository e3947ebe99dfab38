/**
 * The machine's ceiling for what `POST /orders` has to do: orders-service's own code for it,
 * `insertOrder` (services/orders-service/src/data/orders.repository.ts: the order and its event in
 * one statement, the relay woken after the commit) on a pool like the service's, with the event
 * built as `placeOrder` builds it, called straight from many concurrent callers: no HTTP and no
 * service in between. It runs in a database of its own with the same migrations, so the shop's
 * tables stay untouched.
 */
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { OrderCreated } from '@shop/contracts'
import {
  appendToOutbox,
  autocommit,
  continueTrace,
  createPool,
  inTransaction,
  messagingMigrations,
  migrate,
  type OutboxMessage,
  TRACEPARENT_HEADER,
} from '@shop/platform'
import type pg from 'pg'
import { insertOrder } from '../../../services/orders-service/src/data/orders.repository.ts'
import { ensureDatabase, withDatabase } from '../../lib/embedded-postgres.ts'
import type { ActivityReport } from './pg-activity.ts'
import type { UsageReport } from './procstat.ts'
import { type Distribution, distribution, round } from './stats.ts'

const ORDERS_MIGRATIONS = fileURLToPath(
  new URL('../../../services/orders-service/migrations', import.meta.url),
)
const DATABASE = 'shop_ceiling'

export interface CeilingResult {
  connections: number
  seconds: number
  commits: number
  commitsPerSec: number
  transactionMs: Distribution
  /** CPU of every process while it ran (the services are idle then; `othersPercent` tells the noise). */
  usage?: UsageReport
  postgres?: ActivityReport
  /**
   * For comparison with runs before the service wrote an order in one statement: the same rows
   * as a four-round-trip transaction (BEGIN, order INSERT, outbox INSERT, COMMIT), as the ceiling
   * was defined until then. Measured right after the ceiling, in full runs only.
   */
  classicTransaction?: { commitsPerSec: number; transactionMs: Distribution; postgres?: ActivityReport }
  /** Recorded by runs before the ceiling was the service's own statement (diagnostic). */
  withoutNotify?: { commitsPerSec: number; transactionMs: Distribution; postgres?: ActivityReport }
}

export async function measureCeiling(options: {
  adminUrl: string
  connections: number
  durationMs: number
  warmupMs: number
  /** The classic four-round-trip transaction instead of the service's statement (see above). */
  classic?: boolean
}): Promise<CeilingResult> {
  await ensureDatabase(options.adminUrl, DATABASE)
  const url = withDatabase(options.adminUrl, DATABASE)
  const pool = createPool({
    connectionString: url,
    schema: 'orders',
    applicationName: 'bench-ceiling',
    max: options.connections,
  })
  await migrate(pool, 'orders', [messagingMigrations, { name: 'orders', directory: ORDERS_MIGRATIONS }])

  const startedAt = performance.now()
  const measureFrom = startedAt + options.warmupMs
  const deadline = measureFrom + options.durationMs
  let commits = 0
  const latencies: number[] = []
  const userId = randomUUID()

  const caller = async () => {
    while (performance.now() < deadline) {
      const began = performance.now()
      const id = randomUUID()
      const event = OrderCreated.create({ order_id: id, user_id: userId, amount_minor: 100 })
      const message = {
        topic: 'order_created',
        key: id,
        value: OrderCreated.encode(event),
        headers: { [TRACEPARENT_HEADER]: continueTrace(undefined).traceparent },
      }
      const order = { id, userId, amountMinor: 100, description: 'bench' }
      if (options.classic) await classicTransaction(pool, order, message)
      else await insertOrder(autocommit(pool), order, [message])
      const ended = performance.now()
      if (ended >= measureFrom && ended <= deadline) {
        commits += 1
        latencies.push(ended - began)
      }
    }
  }
  try {
    await Promise.all(Array.from({ length: options.connections }, caller))
  } finally {
    await pool.end()
  }
  const seconds = options.durationMs / 1000
  return {
    connections: options.connections,
    seconds,
    commits,
    commitsPerSec: round(commits / seconds),
    transactionMs: distribution(latencies),
  }
}

/** The order and its event as orders-service wrote them before: two INSERTs in a transaction. */
async function classicTransaction(
  pool: pg.Pool,
  order: { id: string; userId: string; amountMinor: number; description: string },
  message: OutboxMessage,
): Promise<void> {
  await inTransaction(pool, async (tx) => {
    await tx.query('INSERT INTO orders (id, user_id, amount_minor, description) VALUES ($1, $2, $3, $4)', [
      order.id,
      order.userId,
      order.amountMinor,
      order.description,
    ])
    await appendToOutbox(tx, [message])
  })
}
