import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrate } from '../../packages/platform/src/db/migrate.ts'
import { createPool } from '../../packages/platform/src/db/pool.ts'
import { messagingMigrations } from '../../packages/platform/src/outbox/outbox.ts'
import { parseDuration } from '../../packages/platform/src/retention/duration.ts'
import { INBOX, LOG_MESSAGES, OUTBOX } from '../../packages/platform/src/retention/retained-tables.ts'
import { RetentionTrimmer } from '../../packages/platform/src/retention/retention-trimmer.ts'
import type { Transport } from '../../packages/platform/src/transport/port.ts'
import {
  ARCHIVED_TABLES,
  countTrimmed,
  installTrimArchive,
  trimmedLogValues,
  wholeHistory,
} from '../../scripts/chaos/trim-archive.ts'
import { withClient } from '../../scripts/lib/pg-client.ts'
import { createDatabaseWithLog, type DatabaseWithLog } from '../support/database-with-log.ts'
import { testLogger } from '../support/logger.ts'

/**
 * The chaos suite's trim archive: what retention deletes is kept aside, so that its checks can
 * still read the whole history. One database stands for the three (orders, payments, broker):
 * their tables live in schemas of those names.
 */
let withLog: DatabaseWithLog
let database: DatabaseWithLog['database']
let transport: Transport
let pools: Record<'orders' | 'payments' | 'broker', pg.Pool>
const urls = () => ({ orders: database.url, payments: database.url, broker: database.url })

beforeAll(async () => {
  withLog = await createDatabaseWithLog()
  ;({ database, transport } = withLog)
  pools = {
    orders: createPool({ connectionString: database.url, schema: 'orders', applicationName: 'test' }),
    payments: createPool({ connectionString: database.url, schema: 'payments', applicationName: 'test' }),
    broker: withLog.brokerPool,
  }
  await migrate(pools.orders, 'orders', [messagingMigrations])
  await migrate(pools.payments, 'payments', [messagingMigrations])
})
afterAll(async () => {
  await Promise.all([pools?.orders.end(), pools?.payments.end()])
  await withLog?.close()
})

const history = (table: keyof typeof ARCHIVED_TABLES, column: string) =>
  withClient(database.url, async (client) => {
    const { rows } = await client.query(
      `SELECT ${column} AS label FROM ${await wholeHistory(client, ARCHIVED_TABLES[table])} AS history`,
    )
    return rows.map((row) => row.label as string).sort()
  })

describe('the chaos trim archive', () => {
  it('when no archive is installed, then a history is the table alone', async () => {
    await pools.orders.query(
      `INSERT INTO inbox (consumer, message_id, occurred_at) VALUES ('c', 'before-archive', now())`,
    )

    expect(await history('ordersInbox', 'message_id')).toEqual(['before-archive'])
  })

  it('when retention trims rows, then each is read once from the archive and the rest from the table', async () => {
    await installTrimArchive(urls())
    await pools.orders.query(
      `INSERT INTO outbox (topic, message_key, value, published_at) VALUES
         ('t', 'k', 'published long ago', now() - interval '2 days'),
         ('t', 'k', 'published now', now()),
         ('t', 'k', 'never published', NULL)`,
    )
    await pools.orders.query(
      `INSERT INTO inbox (consumer, message_id, received_at, occurred_at)
       VALUES ('c', 'seen long ago', now() - interval '9 days', now() - interval '9 days')`,
    )
    const topic = 'archive-test'
    await transport.publish(topic, [
      { key: 'k', value: 'old message' },
      { key: 'k', value: 'new message' },
    ])
    await pools.broker.query(
      `UPDATE messages SET appended_at = now() - interval '8 days' WHERE topic = $1 AND value = 'old message'`,
      [topic],
    )
    const trimmer = new RetentionTrimmer({
      targets: [
        { pool: pools.orders, table: OUTBOX, retentionMs: parseDuration('1d') },
        { pool: pools.orders, table: INBOX, retentionMs: parseDuration('8d') },
        { pool: pools.broker, table: LOG_MESSAGES, retentionMs: parseDuration('7d') },
      ],
      logger: testLogger,
      batchSize: 1,
    })

    await trimmer.trimAll()

    expect(await history('ordersOutbox', 'value')).toEqual([
      'never published',
      'published long ago',
      'published now',
    ])
    const inbox = await history('ordersInbox', 'message_id')
    expect(inbox.filter((id) => id === 'seen long ago')).toEqual(['seen long ago'])
    expect(await trimmedLogValues(database.url, topic)).toEqual(['old message'])
    expect(await countTrimmed(urls())).toEqual({
      ordersOutbox: 1,
      ordersInbox: 1,
      paymentsOutbox: 0,
      paymentsInbox: 0,
      log: 1,
    })
    // The trim did happen: the table itself holds only what is left.
    const left = await pools.orders.query('SELECT value FROM outbox ORDER BY value')
    expect(left.rows.map((row) => row.value)).toEqual(['never published', 'published now'])
  })
})
