import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDatabaseWithLog, type DatabaseWithLog } from '../../../../tests/support/database-with-log.ts'
import { eventually } from '../../../../tests/support/eventually.ts'
import { testLogger } from '../../../../tests/support/logger.ts'
import { inTransaction } from '../../src/db/transaction.ts'
import { ServiceMetrics } from '../../src/metrics.ts'
import { DailyPartitions } from '../../src/retention/daily-partitions.ts'
import { parseDuration } from '../../src/retention/duration.ts'
import { INBOX, LOG_MESSAGES, OUTBOX, type RetainedTable } from '../../src/retention/retained-tables.ts'
import { RetentionTrimmer } from '../../src/retention/retention-trimmer.ts'
import { startRetention } from '../../src/retention/service-retention.ts'
import { messagingSchema } from '../fixtures/messaging-schema.ts'
import { RETENTION_SETTINGS } from '../fixtures/retention-settings.ts'

let withLog: DatabaseWithLog
const pools: pg.Pool[] = []

beforeAll(async () => {
  withLog = await createDatabaseWithLog()
})
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()))
  await withLog?.close()
})

const serviceSchema = async (): Promise<pg.Pool> => {
  const pool = await messagingSchema(withLog.database.url, 'partitions')
  pools.push(pool)
  return pool
}

const DAY_MS = 86_400_000
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS)
const partitionOf = (table: string, day: Date) =>
  `${table}_p${day.toISOString().slice(0, 10).replaceAll('-', '')}`

/** The daily partitions of a table, by name. */
async function partitionsOf(pool: pg.Pool, table: string): Promise<string[]> {
  const { rows } = await pool.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = to_regclass($1) ORDER BY c.relname`,
    [table],
  )
  return rows.map((row) => row.name)
}

const exists = async (pool: pg.Pool, name: string) =>
  (await pool.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [name])).rows[0]?.found

/** A logger whose warnings are kept. */
function warningLogger() {
  const warnings: unknown[] = []
  const logger = testLogger.child({})
  logger.warn = ((fields: unknown) => warnings.push(fields)) as typeof logger.warn
  return { logger, warnings }
}

/**
 * Has `beforeDrop` run, and waited for, before each DROP TABLE that any connection of the pool
 * sends: the state of the database at the moment a day's table goes.
 */
function onDrop(pool: pg.Pool, beforeDrop: () => Promise<void>): void {
  const intercepted = new WeakSet<pg.PoolClient>()
  pool.on('acquire', (client) => {
    if (intercepted.has(client)) return
    intercepted.add(client)
    const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>
    client.query = ((text: unknown, ...rest: unknown[]) => {
      if (typeof text !== 'string' || !text.startsWith('DROP TABLE')) return query(text, ...rest)
      return beforeDrop().then(() => query(text, ...rest))
    }) as typeof client.query
  })
}

/** A schema whose inbox has today's and tomorrow's partitions and one of three days ago, with one row. */
async function inboxWithExpiredDay() {
  const pool = await serviceSchema()
  const partitions = new DailyPartitions(testLogger)
  const old = daysAgo(3)
  await partitions.ensure({ pool, table: INBOX })
  await partitions.createDay({ pool, table: INBOX }, old)
  await pool.query(
    `INSERT INTO inbox (consumer, message_id, occurred_at, received_at) VALUES ('c', 'old', $1, $1)`,
    [old],
  )
  return { pool, partitions, old }
}

const trimmerFor = (pool: pg.Pool, table: RetainedTable, retention: string, metrics?: ServiceMetrics) =>
  new RetentionTrimmer({
    targets: [{ pool, table, retentionMs: parseDuration(retention) }],
    logger: testLogger,
    ...(metrics ? { metrics } : {}),
  })

describe('daily partition upkeep', () => {
  it("when ensured, then today's and tomorrow's partitions of the outbox and the inbox exist beside the default", async () => {
    const pool = await serviceSchema()
    const partitions = new DailyPartitions(testLogger)

    await partitions.ensure({ pool, table: OUTBOX })
    await partitions.ensure({ pool, table: INBOX })

    const { rows } = await pool.query<{ now: Date }>('SELECT now()')
    const now = rows[0]?.now as Date
    const tomorrow = new Date(now.getTime() + DAY_MS)
    for (const table of ['outbox', 'inbox']) {
      expect(await partitionsOf(pool, table)).toEqual([
        `${table}_default`,
        partitionOf(table, now),
        partitionOf(table, tomorrow),
      ])
    }
    await pool.query(`INSERT INTO outbox (topic, message_key, value) VALUES ('t', 'k', 'today')`)
    const { rows: placed } = await pool.query('SELECT tableoid::regclass::text AS part FROM outbox')
    expect(placed).toEqual([{ part: partitionOf('outbox', now) }])
  })

  it("when a service's retention starts, then today's partitions of its outbox, inbox and the log exist before it returns", async () => {
    const pool = await serviceSchema()
    const { database, transport, brokerPool } = withLog
    await brokerPool.query(`DROP TABLE IF EXISTS ${partitionOf('messages', new Date())}`)

    const retention = await startRetention({
      settings: { ...RETENTION_SETTINGS, DATABASE_URL: database.url },
      pool,
      transport,
      logger: testLogger,
      metrics: new ServiceMetrics('test', { processMetrics: false }),
    })
    await retention.close()

    const today = new Date()
    expect(await exists(pool, partitionOf('outbox', today))).toBe(true)
    expect(await exists(pool, partitionOf('inbox', today))).toBe(true)
    expect(await exists(brokerPool, partitionOf('messages', today))).toBe(true)
  })

  it('when two instances ensure the partitions at once, then neither fails and each day exists once', async () => {
    const pool = await serviceSchema()

    await Promise.all([1, 2, 3].map(() => new DailyPartitions(testLogger).ensure({ pool, table: OUTBOX })))

    expect(await partitionsOf(pool, 'outbox')).toHaveLength(3)
  })

  it("when the default partition already holds rows of today, then today's partition is not created, once warned, and tomorrow's is", async () => {
    const pool = await serviceSchema()
    await pool.query(`INSERT INTO outbox (topic, message_key, value) VALUES ('t', 'k', 'early')`)
    const { logger, warnings } = warningLogger()
    const partitions = new DailyPartitions(logger)

    await partitions.ensure({ pool, table: OUTBOX })
    await partitions.ensure({ pool, table: OUTBOX })

    const now = new Date()
    expect(warnings).toEqual([{ table: 'outbox', partition: partitionOf('outbox', now) }])
    expect(await partitionsOf(pool, 'outbox')).toEqual([
      'outbox_default',
      partitionOf('outbox', new Date(now.getTime() + DAY_MS)),
    ])
    expect((await pool.query('SELECT value FROM outbox')).rows).toEqual([{ value: 'early' }])
  })
})

describe('whole-day retention', () => {
  it('when every row of an outbox day is published and expired, then the day is dropped whole and today stays', async () => {
    const pool = await serviceSchema()
    const partitions = new DailyPartitions(testLogger)
    const old = daysAgo(3)
    await partitions.ensure({ pool, table: OUTBOX })
    await partitions.createDay({ pool, table: OUTBOX }, old)
    await pool.query(
      `INSERT INTO outbox (topic, message_key, value, created_at, published_at)
       SELECT 't', 'k', 'old ' || n, $1, $1 FROM generate_series(1, 3) AS n`,
      [old],
    )
    await pool.query(
      `INSERT INTO outbox (topic, message_key, value, published_at) VALUES ('t', 'k', 'today', now())`,
    )
    const metrics = new ServiceMetrics('test', { processMetrics: false })

    const trimmed = await trimmerFor(pool, OUTBOX, '1d', metrics).trimAll()

    expect(trimmed.get('outbox')).toBe(3)
    expect(await exists(pool, partitionOf('outbox', old))).toBe(false)
    expect((await pool.query('SELECT value FROM outbox')).rows).toEqual([{ value: 'today' }])
    expect((await metrics.trimmed.get()).values).toEqual([{ labels: { table: 'outbox' }, value: 3 }])
  })

  it('when the table is too busy to drop an expired day, then the round leaves the table alone, and the next drops the day whole', async () => {
    const pool = await serviceSchema()
    const old = daysAgo(3)
    await new DailyPartitions(testLogger).createDay({ pool, table: OUTBOX }, old)
    await pool.query(
      `INSERT INTO outbox (topic, message_key, value, created_at, published_at)
       VALUES ('t', 'k', 'old day', $1, $1), ('t', 'k', 'default', now() - interval '9 days', $1)`,
      [old],
    )
    const trimmer = trimmerFor(pool, OUTBOX, '1d')

    const whileBusy = await inTransaction(pool, async (reader) => {
      await reader.query('LOCK TABLE outbox IN ACCESS SHARE MODE')
      return trimmer.trimAll()
    })

    // Not deleted row by row: the day waits to go whole.
    expect(whileBusy.get('outbox')).toBe(0)
    expect((await pool.query('SELECT value FROM outbox ORDER BY value')).rows).toEqual([
      { value: 'default' },
      { value: 'old day' },
    ])
    const after = await trimmer.trimAll()
    expect(after.get('outbox')).toBe(2)
    expect(await exists(pool, partitionOf('outbox', old))).toBe(false)
    expect((await pool.query('SELECT value FROM outbox')).rows).toEqual([])
  })

  it('when the table stays too busy round after round, then after three rounds the batched delete forgets its expired rows anyway', async () => {
    const pool = await serviceSchema()
    const old = daysAgo(3)
    await new DailyPartitions(testLogger).createDay({ pool, table: OUTBOX }, old)
    await pool.query(
      `INSERT INTO outbox (topic, message_key, value, created_at, published_at) VALUES ('t', 'k', 'old day', $1, $1)`,
      [old],
    )
    const trimmer = trimmerFor(pool, OUTBOX, '1d')

    const rounds = await inTransaction(pool, async (reader) => {
      await reader.query('LOCK TABLE outbox IN ACCESS SHARE MODE')
      const trimmed: (number | undefined)[] = []
      for (let round = 0; round < 4; round++) trimmed.push((await trimmer.trimAll()).get('outbox'))
      return trimmed
    })

    expect(rounds).toEqual([0, 0, 0, 1])
  })

  it('when several days expired, then a few go together under each lock of the table: while one of them is read, none of its few goes, and the next round drops all', async () => {
    const pool = await serviceSchema()
    const partitions = new DailyPartitions(testLogger)
    const days = [daysAgo(5), daysAgo(4), daysAgo(3)]
    for (const day of days) {
      await partitions.createDay({ pool, table: INBOX }, day)
      await pool.query(
        `INSERT INTO inbox (consumer, message_id, occurred_at, received_at)
         SELECT 'c', $2 || n, $1, $1 FROM generate_series(1, 4) AS n`,
        [day, randomUUID()],
      )
    }
    const target = { pool, table: INBOX, retentionMs: parseDuration('1d') }

    // Someone reads the middle day: its detach would wait past the lock timeout, and with it the others.
    const whileRead = await inTransaction(pool, async (reader) => {
      await reader.query(`SELECT count(*) FROM ${partitionOf('inbox', days[1] as Date)}`)
      return partitions.dropExpired(target)
    })
    expect(whileRead.trimmed).toBe(0)
    for (const day of days) expect(await exists(pool, partitionOf('inbox', day))).toBe(true)

    const after = await partitions.dropExpired(target)
    expect(after.trimmed).toBe(12)
    for (const day of days) expect(await exists(pool, partitionOf('inbox', day))).toBe(false)
  })

  it('when a day goes while the table is in use, then no insert waits behind the request for its lock, and the day goes once the table is free', async () => {
    const { pool, partitions, old } = await inboxWithExpiredDay()
    // A reader in the middle of a transaction on the inbox, as a consumer would be.
    const reader = await pool.connect()
    await reader.query('BEGIN')
    await reader.query('SELECT count(*) FROM inbox')

    const dropping = partitions.dropExpired({ pool, table: INBOX, retentionMs: parseDuration('1d') })
    await new Promise((resolve) => setTimeout(resolve, 30))
    // An insert does not conflict with the reader, only with a lock request queued before it.
    const started = performance.now()
    await pool.query(`INSERT INTO inbox (consumer, message_id, occurred_at) VALUES ('c', 'new', now())`)
    const waitedMs = performance.now() - started
    await reader.query('COMMIT')
    reader.release()

    expect(waitedMs).toBeLessThan(25)
    expect((await dropping).trimmed).toBe(1)
    expect(await exists(pool, partitionOf('inbox', old))).toBe(false)
  })

  it("when an expired day's table is dropped, then the table it belonged to is locked by no one and takes inserts", async () => {
    // Dropping unlinks files and evicts buffers at commit: done under the table's lock, it held the
    // inserts up for as long.
    const { pool, partitions, old } = await inboxWithExpiredDay()
    const inbox = (await pool.query<{ oid: number }>(`SELECT 'inbox'::regclass::oid AS oid`)).rows[0]?.oid
    const locksWhileDropping: string[][] = []
    onDrop(pool, async () => {
      const { rows } = await withLog.brokerPool.query<{ mode: string }>(
        'SELECT mode FROM pg_locks WHERE database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND relation = $1',
        [inbox],
      )
      locksWhileDropping.push(rows.map((row) => row.mode))
    })

    const dropped = await partitions.dropExpired({ pool, table: INBOX, retentionMs: parseDuration('1d') })

    expect(dropped.trimmed).toBe(1)
    expect(locksWhileDropping).toEqual([[]])
    expect(await exists(pool, partitionOf('inbox', old))).toBe(false)
  })

  it('when a round died between detaching a day and dropping it, then the next round drops the detached day, and only an expired one', async () => {
    const pool = await serviceSchema()
    const partitions = new DailyPartitions(testLogger)
    const [old, older, tomorrow] = [daysAgo(3), daysAgo(4), daysAgo(-1)]
    for (const day of [old, older, tomorrow]) await partitions.createDay({ pool, table: OUTBOX }, day)
    for (const day of [older, tomorrow])
      await pool.query(`ALTER TABLE outbox DETACH PARTITION ${partitionOf('outbox', day)}`)
    // A table of the same schema whose name only looks like a day of another table stays.
    await pool.query('CREATE TABLE not_outbox_p20260101 (n int)')

    await partitions.dropExpired({ pool, table: OUTBOX, retentionMs: parseDuration('1d') })

    expect(await exists(pool, partitionOf('outbox', older))).toBe(false)
    expect(await exists(pool, partitionOf('outbox', old))).toBe(false)
    expect(await exists(pool, partitionOf('outbox', tomorrow))).toBe(true)
    expect(await exists(pool, 'not_outbox_p20260101')).toBe(true)
  })

  it('when an expired outbox day holds an unpublished row, then the day stays and so does that row', async () => {
    const pool = await serviceSchema()
    const old = daysAgo(3)
    await new DailyPartitions(testLogger).createDay({ pool, table: OUTBOX }, old)
    await pool.query(
      `INSERT INTO outbox (topic, message_key, value, created_at, published_at)
       VALUES ('t', 'k', 'published', $1, $1), ('t', 'k', 'never published', $1, NULL)`,
      [old],
    )

    const trimmed = await trimmerFor(pool, OUTBOX, '1d').trimAll()

    expect(await exists(pool, partitionOf('outbox', old))).toBe(true)
    // The batched delete still takes the published row of that day.
    expect(trimmed.get('outbox')).toBe(1)
    expect((await pool.query('SELECT value FROM outbox')).rows).toEqual([{ value: 'never published' }])
  })

  it('when an inbox day is past INBOX_RETENTION, then it is dropped whole; a day with a row received lately stays', async () => {
    const pool = await serviceSchema()
    const partitions = new DailyPartitions(testLogger)
    const [old, late] = [daysAgo(10), daysAgo(12)]
    await partitions.createDay({ pool, table: INBOX }, old)
    await partitions.createDay({ pool, table: INBOX }, late)
    await pool.query(
      `INSERT INTO inbox (consumer, message_id, occurred_at, received_at)
       VALUES ('c', 'old', $1, $1), ('c', 'occurred long ago, received today', $2, now())`,
      [old, late],
    )

    const trimmed = await trimmerFor(pool, INBOX, '8d').trimAll()

    expect(trimmed.get('inbox')).toBe(1)
    expect(await exists(pool, partitionOf('inbox', old))).toBe(false)
    expect(await exists(pool, partitionOf('inbox', late))).toBe(true)
    expect((await pool.query('SELECT message_id FROM inbox')).rows).toEqual([
      { message_id: 'occurred long ago, received today' },
    ])
  })

  it('when a day of the log is dropped whole, then the messages each group had not read are logged and counted', async () => {
    const { transport, brokerPool } = withLog
    const topic = `by-day-${randomUUID()}`
    const group = `group-${randomUUID()}`
    const old = daysAgo(9)
    await new DailyPartitions(testLogger).createDay({ pool: brokerPool, table: LOG_MESSAGES }, old)
    await transport.publish(topic, [{ key: 'k', value: 'read' }])
    const subscription = await transport.subscribe({ topic, group, handleBatch: async () => {} })
    await eventually(
      async () =>
        (await brokerPool.query('SELECT 1 FROM committed_offsets WHERE group_id = $1', [group])).rows.length,
      (committed) => committed > 0,
    )
    await subscription.close()
    await transport.publish(topic, [
      { key: 'k', value: 'unread 1' },
      { key: 'k', value: 'unread 2' },
      { key: 'k', value: 'today' },
    ])
    await brokerPool.query(`UPDATE messages SET appended_at = $2 WHERE topic = $1 AND value <> 'today'`, [
      topic,
      old,
    ])
    const { logger, warnings } = warningLogger()
    const metrics = new ServiceMetrics('test', { processMetrics: false })
    const trimmer = new RetentionTrimmer({
      targets: [{ pool: brokerPool, table: LOG_MESSAGES, retentionMs: parseDuration('7d') }],
      logger,
      metrics,
    })

    expect((await trimmer.trimAll()).get('messages')).toBe(3)

    expect(await exists(brokerPool, partitionOf('messages', old))).toBe(false)
    expect(warnings).toEqual([{ group, topic, messages: 2 }])
    expect((await metrics.expiredUnread.get()).values).toEqual([{ labels: { group, topic }, value: 2 }])
    const left = await brokerPool.query('SELECT value FROM messages WHERE topic = $1', [topic])
    expect(left.rows).toEqual([{ value: 'today' }])
  })
})
