/**
 * Months of history in a few seconds: rows dated long past every retention window, written with
 * generate_series straight into the tables retention trims, as a shop that ran for months before
 * retention existed would have them.
 */
import pg from 'pg'
import { attachDay } from '../../packages/platform/src/retention/daily-partitions.ts'
import { withClient } from '../lib/pg-client.ts'

/**
 * Row n of $1 is dated n thirtieths of a month after 40 days ago: a month of history, every row older
 * than every window, each with its own time, as months of real traffic would have them (rows of one
 * time would make one long run of equal keys in each age index, which no shop has).
 */
const LONG_AGO = "now() - interval '40 days' + n * interval '30 days' / $1"
const [FIRST_DAY_AGO, LAST_DAY_AGO] = [40, 10]
const DAY_MS = 86_400_000

/** What each statement fills: the database (by role), and the SQL, which takes the row count as $1. */
const HISTORY: { database: 'orders' | 'payments' | 'broker'; table: string; column: string; sql: string }[] =
  [
    {
      database: 'orders',
      table: 'orders.outbox',
      column: 'published_at',
      sql: `INSERT INTO orders.outbox (topic, message_key, value, created_at, published_at)
          SELECT 'order_created', n::text, repeat('x', 300), ${LONG_AGO}, ${LONG_AGO} FROM generate_series(1, $1) AS n`,
    },
    {
      database: 'orders',
      table: 'orders.inbox',
      column: 'received_at',
      sql: `INSERT INTO orders.inbox (consumer, message_id, occurred_at, received_at)
          SELECT 'orders.payment_finished', gen_random_uuid()::text, ${LONG_AGO}, ${LONG_AGO} FROM generate_series(1, $1) AS n`,
    },
    {
      database: 'payments',
      table: 'payments.inbox',
      column: 'received_at',
      sql: `INSERT INTO payments.inbox (consumer, message_id, occurred_at, received_at)
          SELECT 'payments.order_created', gen_random_uuid()::text, ${LONG_AGO}, ${LONG_AGO} FROM generate_series(1, $1) AS n`,
    },
    {
      database: 'broker',
      table: 'broker.messages',
      column: 'appended_at',
      sql: `INSERT INTO broker.messages (topic, partition, key, value, appended_at)
          SELECT 'history', n % 3, n::text, repeat('x', 300), ${LONG_AGO} FROM generate_series(1, $1) AS n`,
    },
  ]

/**
 * Fills each table with `rows` rows of old history, logging the seconds each took. Until the
 * answered `release` is called, it holds the advisory lock each table's trimmer asks for first
 * (`retention:<schema>.<table>`, retention-trimmer.ts), as another instance trimming it would: the
 * trimmers leave the history alone while it is written and the load has not started, so the
 * whole catch-up happens under load.
 */
export async function writeHistory(
  urls: Record<'orders' | 'payments' | 'broker', string>,
  rows: number,
  log: (line: string) => void,
): Promise<{ release(): Promise<void> }> {
  const holders = new Map<string, pg.Client>()
  try {
    for (const { database, table, sql } of HISTORY) {
      const client = holders.get(database) ?? new pg.Client({ connectionString: urls[database] })
      if (!holders.has(database)) {
        await client.connect()
        holders.set(database, client)
      }
      await client.query(`SELECT pg_advisory_lock(hashtext('retention:' || $1))`, [table])
      await attachHistoryDays(client, table)
      const started = performance.now()
      await client.query(sql, [rows])
      // History months old was frozen by autovacuum and flushed by checkpoints long ago: do both
      // now, so the load that follows pays for forgetting it, not for having just written it.
      await client.query(`VACUUM (FREEZE, ANALYZE) ${table}`)
      log(
        `  ${table}: ${rows.toLocaleString('en')} rows of history in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      )
    }
    await holders.values().next().value?.query('CHECKPOINT')
  } catch (error) {
    await Promise.allSettled([...holders.values()].map((client) => client.end()))
    throw error
  }
  return {
    // Closing the sessions releases their locks.
    release: async () => {
      await Promise.all([...holders.values()].map((client) => client.end()))
    },
  }
}

/**
 * The daily partitions of the history's days, made as the services made them over that month
 * (daily-partitions.ts), so the history lies in days retention drops whole. In the session that
 * holds the table's retention lock, which the services' upkeep takes too.
 */
async function attachHistoryDays(client: pg.Client, qualified: string): Promise<void> {
  const [schema, table] = qualified.split('.') as [string, string]
  await client.query('BEGIN')
  try {
    await client.query(`SET LOCAL search_path TO ${schema}`)
    for (let ago = FIRST_DAY_AGO; ago >= LAST_DAY_AGO; ago -= 1) {
      await attachDay(client, table, new Date(Date.now() - ago * DAY_MS))
    }
    await client.query('COMMIT')
  } catch (error) {
    await client.query('ROLLBACK')
    throw error
  }
}

/** Whether any row of the history is still there: it is older than every window, so retention must delete it all. */
export async function historyLeft(urls: Record<'orders' | 'payments' | 'broker', string>): Promise<boolean> {
  for (const { database, table, column } of HISTORY) {
    // The age index that retention deletes through answers this at once.
    const sql = `SELECT EXISTS (SELECT 1 FROM ${table} WHERE ${column} < now() - interval '1 day') AS left`
    const left = await withClient(urls[database], async (client) => (await client.query(sql)).rows[0]?.left)
    if (left) return true
  }
  return false
}
