/**
 * The machine's ceiling for what `POST /orders` has to do: the same order + outbox transaction that
 * orders-service runs (services/orders-service/src/data/orders.repository.ts `insertOrder`, then
 * packages/platform/src/outbox/outbox.ts `appendToOutbox`, in `withTransaction`), statement for
 * statement and round trip for round trip, issued straight to PostgreSQL from many connections, no
 * HTTP and no service in between. It runs in a database of its own with the same migrations, so
 * the shop's tables stay untouched.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { createPool, messagingMigrations, migrate } from '@shop/platform'
import pg from 'pg'
import { ensureDatabase, withDatabase } from '../../lib/embedded-postgres.ts'
import type { ActivityReport } from './pg-activity.ts'
import type { UsageReport } from './procstat.ts'
import { type Distribution, distribution, round } from './stats.ts'

const ORDERS_MIGRATIONS = fileURLToPath(
  new URL('../../../services/orders-service/migrations', import.meta.url),
)
const DATABASE = 'shop_ceiling'

/** The statements of orders-service, verbatim. */
const INSERT_ORDER =
  'INSERT INTO orders (id, user_id, amount_minor, description) VALUES ($1, $2, $3, $4) RETURNING id, user_id, amount_minor::text, description, status, reason, created_at'
const APPEND_TO_OUTBOX = `WITH appended AS (
       INSERT INTO outbox (topic, message_key, value, headers)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[])
     )
     SELECT pg_notify(current_schema() || '_outbox', '')`
/** The same rows without the NOTIFY: only to show what the notification costs. */
const APPEND_TO_OUTBOX_SILENTLY = `INSERT INTO outbox (topic, message_key, value, headers)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[])`

export interface CeilingResult {
  connections: number
  seconds: number
  commits: number
  commitsPerSec: number
  transactionMs: Distribution
  /** CPU of every process while it ran (the services are idle then; `othersPercent` tells the noise). */
  usage?: UsageReport
  postgres?: ActivityReport
  /** The same transaction without its `pg_notify`, measured right after (diagnostic). */
  withoutNotify?: { commitsPerSec: number; transactionMs: Distribution; postgres?: ActivityReport }
}

export async function measureCeiling(options: {
  adminUrl: string
  connections: number
  durationMs: number
  warmupMs: number
  /** false leaves out the `pg_notify` (a diagnostic variant; the ceiling proper keeps it). */
  notify?: boolean
}): Promise<CeilingResult> {
  const appendToOutbox = options.notify === false ? APPEND_TO_OUTBOX_SILENTLY : APPEND_TO_OUTBOX
  await ensureDatabase(options.adminUrl, DATABASE)
  const url = withDatabase(options.adminUrl, DATABASE)
  const pool = createPool({ connectionString: url, schema: 'orders', applicationName: 'bench-ceiling' })
  try {
    await migrate(pool, 'orders', [messagingMigrations, { name: 'orders', directory: ORDERS_MIGRATIONS }])
  } finally {
    await pool.end()
  }

  const clients = Array.from(
    { length: options.connections },
    () =>
      new pg.Client({
        connectionString: url,
        application_name: 'bench-ceiling',
        options: '-c search_path=orders',
      }),
  )
  await Promise.all(clients.map((client) => client.connect()))
  const startedAt = performance.now()
  const measureFrom = startedAt + options.warmupMs
  const deadline = measureFrom + options.durationMs
  let commits = 0
  const latencies: number[] = []
  const userId = randomUUID()

  const worker = async (client: pg.Client) => {
    while (performance.now() < deadline) {
      const began = performance.now()
      const orderId = randomUUID()
      await client.query('BEGIN')
      const { rows } = await client.query<{ created_at: Date }>(INSERT_ORDER, [orderId, userId, 100, 'bench'])
      // The event as orders-service writes it: the OrderCreated envelope and a traceparent header.
      const value = JSON.stringify({
        event_id: randomUUID(),
        type: 'order_created',
        version: 1,
        occurred_at: (rows[0]?.created_at ?? new Date()).toISOString(),
        payload: { order_id: orderId, user_id: userId, amount_minor: 100 },
      })
      const traceparent = `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`
      await client.query(appendToOutbox, [
        ['order_created'],
        [orderId],
        [value],
        [JSON.stringify({ traceparent })],
      ])
      await client.query('COMMIT')
      const ended = performance.now()
      if (ended >= measureFrom && ended <= deadline) {
        commits += 1
        latencies.push(ended - began)
      }
    }
  }
  try {
    await Promise.all(clients.map(worker))
  } finally {
    await Promise.all(clients.map((client) => client.end().catch(() => {})))
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
