/**
 * Months of history in a few seconds: rows dated long past every retention window, written with
 * generate_series straight into the tables retention trims, as a shop that ran for months before
 * retention existed would have them.
 */
import pg from 'pg'

const LONG_AGO = "now() - interval '40 days'"

/** What each statement fills: the database (by role), and the SQL, which takes the row count as $1. */
const HISTORY: { database: 'orders' | 'payments' | 'broker'; table: string; sql: string }[] = [
  {
    database: 'orders',
    table: 'orders.outbox',
    sql: `INSERT INTO orders.outbox (topic, message_key, value, created_at, published_at)
          SELECT 'order_created', n::text, repeat('x', 300), ${LONG_AGO}, ${LONG_AGO} FROM generate_series(1, $1) AS n`,
  },
  {
    database: 'orders',
    table: 'orders.inbox',
    sql: `INSERT INTO orders.inbox (consumer, message_id, received_at)
          SELECT 'orders.payment_finished', gen_random_uuid()::text, ${LONG_AGO} FROM generate_series(1, $1)`,
  },
  {
    database: 'payments',
    table: 'payments.inbox',
    sql: `INSERT INTO payments.inbox (consumer, message_id, received_at)
          SELECT 'payments.order_created', gen_random_uuid()::text, ${LONG_AGO} FROM generate_series(1, $1)`,
  },
  {
    database: 'broker',
    table: 'broker.messages',
    sql: `INSERT INTO broker.messages (topic, partition, key, value, appended_at)
          SELECT 'history', n % 3, n::text, repeat('x', 300), ${LONG_AGO} FROM generate_series(1, $1) AS n`,
  },
]

/** Fills each table with `rows` rows of old history; answers the seconds it took per table. */
export async function writeHistory(
  urls: Record<'orders' | 'payments' | 'broker', string>,
  rows: number,
  log: (line: string) => void,
): Promise<void> {
  for (const { database, table, sql } of HISTORY) {
    const client = new pg.Client({ connectionString: urls[database] })
    await client.connect()
    try {
      const started = performance.now()
      await client.query(sql, [rows])
      await client.query(`ANALYZE ${table}`)
      log(
        `  ${table}: ${rows.toLocaleString('en')} rows of history in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      )
    } finally {
      await client.end()
    }
  }
}
