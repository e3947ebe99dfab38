import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrate } from '../../packages/platform/src/db/migrate.ts'
import { createPool } from '../../packages/platform/src/db/pool.ts'
import { messagingMigrations } from '../../packages/platform/src/outbox/outbox.ts'
import { historyLeft, writeHistory } from '../../scripts/soak/history.ts'
import { createDatabaseWithLog, type DatabaseWithLog } from '../support/database-with-log.ts'

/** The aging test's history, on one database whose schemas stand for the three (orders, payments, broker). */
let withLog: DatabaseWithLog
let pools: pg.Pool[]

beforeAll(async () => {
  withLog = await createDatabaseWithLog()
  pools = ['orders', 'payments'].map((schema) =>
    createPool({ connectionString: withLog.database.url, schema, applicationName: 'test' }),
  )
  for (const [index, schema] of ['orders', 'payments'].entries()) {
    await migrate(pools[index] as pg.Pool, schema, [messagingMigrations])
  }
})
afterAll(async () => {
  await Promise.all(pools?.map((pool) => pool.end()) ?? [])
  await withLog?.close()
})

describe('the aging history', () => {
  it('when written, then every row lies in a daily partition of its own day, none in a default one', async () => {
    const url = withLog.database.url
    const history = await writeHistory({ orders: url, payments: url, broker: url }, 600, () => {})
    await history.release()

    const placed = await withLog.brokerPool.query<{ table: string; partition: string; rows: number }>(
      `SELECT parent.relname AS table, tableoid::regclass::text ~ '_p[0-9]{8}$' AS partition, count(*)::int AS rows
         FROM (SELECT tableoid FROM orders.outbox UNION ALL SELECT tableoid FROM orders.inbox
               UNION ALL SELECT tableoid FROM payments.inbox UNION ALL SELECT tableoid FROM broker.messages) rows
         JOIN pg_inherits i ON i.inhrelid = rows.tableoid JOIN pg_class parent ON parent.oid = i.inhparent
        GROUP BY 1, 2 ORDER BY 1`,
    )
    expect(placed.rows).toEqual([
      { table: 'inbox', partition: true, rows: 1200 },
      { table: 'messages', partition: true, rows: 600 },
      { table: 'outbox', partition: true, rows: 600 },
    ])
    expect(await historyLeft({ orders: url, payments: url, broker: url })).toBe(true)
  })
})
