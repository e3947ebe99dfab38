import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDatabaseWithLog, type DatabaseWithLog } from '../../../../tests/support/database-with-log.ts'
import { eventually } from '../../../../tests/support/eventually.ts'
import { testLogger } from '../../../../tests/support/logger.ts'
import { inTransaction } from '../../src/db/transaction.ts'
import { ServiceMetrics } from '../../src/metrics.ts'
import { parseDuration } from '../../src/retention/duration.ts'
import { INBOX, LOG_MESSAGES } from '../../src/retention/retained-tables.ts'
import { registerRetentionGauges } from '../../src/retention/retention-metrics.ts'
import { RetentionTrimmer } from '../../src/retention/retention-trimmer.ts'
import { retentionTargets, warnWhenInboxForgetsFirst } from '../../src/retention/service-retention.ts'
import type { DeliveredMessage, Transport } from '../../src/transport/port.ts'
import { messagingSchema } from '../fixtures/messaging-schema.ts'
import { RETENTION_SETTINGS } from '../fixtures/retention-settings.ts'

const SETTINGS = RETENTION_SETTINGS

let withLog: DatabaseWithLog
let database: DatabaseWithLog['database']
let transport: Transport
let brokerPool: pg.Pool
const pools: pg.Pool[] = []

beforeAll(async () => {
  withLog = await createDatabaseWithLog()
  ;({ database, transport, brokerPool } = withLog)
})
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()))
  await withLog?.close()
})

const serviceSchema = async (): Promise<pg.Pool> => {
  const pool = await messagingSchema(database.url, 'retention')
  pools.push(pool)
  return pool
}

const ago = (duration: string) => `now() - interval '${parseDuration(duration) / 1000} seconds'`

async function outboxRow(pool: pg.Pool, label: string, createdAgo: string, publishedAgo: string | null) {
  await pool.query(
    `INSERT INTO outbox (topic, message_key, value, created_at, published_at)
     VALUES ('t', 'k', $1, ${ago(createdAgo)}, ${publishedAgo === null ? 'NULL' : ago(publishedAgo)})`,
    [label],
  )
}
async function inboxRow(pool: pg.Pool, label: string, receivedAgo: string) {
  await pool.query(
    `INSERT INTO inbox (consumer, message_id, received_at, occurred_at)
     VALUES ('c', $1, ${ago(receivedAgo)}, ${ago(receivedAgo)})`,
    [label],
  )
}
async function deadLetter(pool: pg.Pool, label: string, failedAgo: string, replayedAgo: string | null) {
  await pool.query(
    `INSERT INTO dead_letters (consumer, topic, partition, "offset", message_key, value, error, failed_at, replayed_at)
     VALUES ('c', 't', 0, $1, 'k', $1, 'bad', ${ago(failedAgo)}, ${replayedAgo === null ? 'NULL' : ago(replayedAgo)})`,
    [label],
  )
}
async function idempotencyKey(pool: pg.Pool, label: string, createdAgo: string) {
  await pool.query(
    `INSERT INTO idempotency_keys (user_id, key, request_fingerprint, response_status, response_body, created_at)
     VALUES ($1, $2, 'f', 201, '{}', ${ago(createdAgo)})`,
    [randomUUID(), label],
  )
}
const labels = async (pool: pg.Pool, sql: string) =>
  (await pool.query<{ label: string }>(sql)).rows.map((row) => row.label).sort()

const trimmerOf = (pool: pg.Pool, options: { batchSize?: number; metrics?: ServiceMetrics } = {}) =>
  new RetentionTrimmer({
    targets: retentionTargets(SETTINGS, pool, brokerPool),
    logger: testLogger,
    ...options,
  })

async function consume(topic: string, group: string, until: (seen: string[]) => boolean): Promise<string[]> {
  const seen: string[] = []
  const subscription = await transport.subscribe({
    topic,
    group,
    handleBatch: async (batch: readonly DeliveredMessage[]) => {
      seen.push(...batch.map((message) => message.value))
    },
  })
  try {
    return await eventually(async () => [...seen], until)
  } finally {
    await subscription.close()
  }
}

describe('retention trimmer', () => {
  it('when rows are past their window, then exactly those go, and never an unpublished outbox row', async () => {
    const pool = await serviceSchema()
    await outboxRow(pool, 'published long ago', '3d', '2d')
    await outboxRow(pool, 'published just now', '3d', '23h')
    await outboxRow(pool, 'never published', '30d', null)
    await inboxRow(pool, 'seen long ago', '9d')
    await inboxRow(pool, 'seen recently', '7d')
    await deadLetter(pool, 'replayed long ago', '60d', '31d')
    await deadLetter(pool, 'replayed recently', '60d', '29d')
    await deadLetter(pool, 'never replayed', '90d', null)
    await idempotencyKey(pool, 'used yesterday', '25h')
    await idempotencyKey(pool, 'used today', '23h')
    const topic = `retention-${randomUUID()}`
    await transport.publish(topic, [
      { key: 'k', value: 'appended long ago' },
      { key: 'k', value: 'appended recently' },
    ])
    await brokerPool.query(`UPDATE messages SET appended_at = ${ago('8d')} WHERE topic = $1 AND value = $2`, [
      topic,
      'appended long ago',
    ])
    const metrics = new ServiceMetrics('test', { processMetrics: false })

    // A batch of one makes every table take several batches.
    const trimmed = await trimmerOf(pool, { batchSize: 1, metrics }).trimAll()

    expect(Object.fromEntries(trimmed)).toEqual({
      outbox: 1,
      inbox: 1,
      dead_letters: 1,
      idempotency_keys: 1,
      messages: 1,
    })
    expect(await labels(pool, 'SELECT value AS label FROM outbox')).toEqual([
      'never published',
      'published just now',
    ])
    expect(await labels(pool, 'SELECT message_id AS label FROM inbox')).toEqual(['seen recently'])
    expect(await labels(pool, 'SELECT value AS label FROM dead_letters')).toEqual([
      'never replayed',
      'replayed recently',
    ])
    expect(await labels(pool, 'SELECT key AS label FROM idempotency_keys')).toEqual(['used today'])
    expect(await labels(brokerPool, `SELECT value AS label FROM messages WHERE topic = '${topic}'`)).toEqual([
      'appended recently',
    ])
    const counted = (await metrics.trimmed.get()).values.map(({ labels, value }) => [labels.table, value])
    expect(Object.fromEntries(counted)).toEqual({
      outbox: 1,
      inbox: 1,
      dead_letters: 1,
      idempotency_keys: 1,
      messages: 1,
    })
  })

  it('when a table holds many expired rows, then they go in batches until none is left', async () => {
    const pool = await serviceSchema()
    await pool.query(
      `INSERT INTO inbox (consumer, message_id, received_at, occurred_at)
       SELECT 'c', 'old-' || n, ${ago('9d')}, now() FROM generate_series(1, 2500) AS n`,
    )
    await inboxRow(pool, 'kept', '1d')

    const trimmed = await trimmerOf(pool, { batchSize: 300 }).trimAll()

    expect(trimmed.get('inbox')).toBe(2500)
    expect(await labels(pool, 'SELECT message_id AS label FROM inbox')).toEqual(['kept'])
  })

  it('when another instance holds the lock of a table, then this one leaves that table alone and trims the rest', async () => {
    const pool = await serviceSchema()
    await inboxRow(pool, 'seen long ago', '9d')
    await outboxRow(pool, 'published long ago', '3d', '2d')
    const trimmer = trimmerOf(pool)

    const whileHeld = await inTransaction(pool, async (other) => {
      await other.query(
        `SELECT pg_advisory_xact_lock(hashtext('retention:' || current_schema() || '.inbox'))`,
      )
      return trimmer.trimAll()
    })
    const afterwards = await trimmer.trimAll()

    expect([whileHeld.get('inbox'), whileHeld.get('outbox')]).toEqual([0, 1])
    expect(afterwards.get('inbox')).toBe(1)
  })

  it('when two trimmers run at once on one table, then every expired row is deleted once and the rest stays', async () => {
    const pool = await serviceSchema()
    await pool.query(
      `INSERT INTO inbox (consumer, message_id, received_at, occurred_at)
       SELECT 'c', 'n-' || n, CASE WHEN n % 2 = 0 THEN ${ago('9d')} ELSE now() END, now() FROM generate_series(1, 6000) AS n`,
    )
    const inboxOnly = (metrics: ServiceMetrics) =>
      new RetentionTrimmer({
        targets: [{ pool, table: INBOX, retentionMs: parseDuration('8d') }],
        logger: testLogger,
        batchSize: 200,
        metrics,
      })
    const [first, second] = [
      new ServiceMetrics('a', { processMetrics: false }),
      new ServiceMetrics('b', { processMetrics: false }),
    ]

    const [a, b] = await Promise.all([inboxOnly(first).trimAll(), inboxOnly(second).trimAll()])

    expect((a.get('inbox') ?? 0) + (b.get('inbox') ?? 0)).toBe(3000)
    expect(Number((await pool.query('SELECT count(*) FROM inbox')).rows[0].count)).toBe(3000)
  })
})

describe('embedded log retention', () => {
  it('when LOG_RETENTION deletes messages a group has not read, then the group resumes at the oldest message left, and it is logged and counted', async () => {
    const topic = `log-retention-${randomUUID()}`
    const group = `group-${randomUUID()}`
    await transport.publish(topic, [
      { key: 'k', value: 'm1' },
      { key: 'k', value: 'm2' },
    ])
    expect(await consume(topic, group, (seen) => seen.length === 2)).toEqual(['m1', 'm2'])
    await transport.publish(
      topic,
      ['m3', 'm4', 'm5', 'm6'].map((value) => ({ key: 'k', value })),
    )
    // m1 to m4 are a week old: m3 and m4 go before the group has read them.
    await brokerPool.query(
      `UPDATE messages SET appended_at = now() - interval '8 days' WHERE topic = $1 AND value IN ('m1', 'm2', 'm3', 'm4')`,
      [topic],
    )
    const metrics = new ServiceMetrics('test', { processMetrics: false })
    const warnings: unknown[] = []
    const logger = testLogger.child({})
    logger.warn = ((fields: unknown) => warnings.push(fields)) as typeof logger.warn
    const trimmer = new RetentionTrimmer({
      targets: [{ pool: brokerPool, table: LOG_MESSAGES, retentionMs: parseDuration('7d') }],
      logger,
      metrics,
    })

    expect((await trimmer.trimAll()).get('messages')).toBe(4)

    expect(warnings).toEqual([{ group, topic, messages: 2 }])
    const expired = (await metrics.expiredUnread.get()).values
    expect(expired).toEqual([{ labels: { group, topic }, value: 2 }])
    const resumed = await consume(topic, group, (seen) => seen.length >= 2)
    expect(resumed).toEqual(['m5', 'm6'])
    const { rows } = await brokerPool.query(
      `SELECT "offset"::text FROM committed_offsets WHERE group_id = $1 AND topic = $2`,
      [group, topic],
    )
    const newest = await brokerPool.query(
      `SELECT max("offset")::text AS "offset" FROM messages WHERE topic = $1`,
      [topic],
    )
    expect(rows).toEqual([{ offset: newest.rows[0].offset }])
  })
})

describe('retention gauges', () => {
  it('when scraped, then each table reports its rows, bytes, oldest expirable row and window', async () => {
    const pool = await serviceSchema()
    await inboxRow(pool, 'seen two days ago', '2d')
    await outboxRow(pool, 'unpublished', '9d', null)
    await pool.query('ANALYZE inbox')
    const metrics = new ServiceMetrics('test', { processMetrics: false })
    registerRetentionGauges(metrics, retentionTargets(SETTINGS, pool))

    const scraped = async (name: string) =>
      Object.fromEntries(
        ((await metrics.registry.getSingleMetric(name)?.get())?.values ?? []).map(({ labels, value }) => [
          labels.table,
          value,
        ]),
      )

    expect(await scraped('retention_window_seconds')).toEqual({
      outbox: 86_400,
      inbox: 691_200,
      dead_letters: 2_592_000,
      idempotency_keys: 86_400,
    })
    const oldest = await scraped('retention_oldest_row_age_seconds')
    // Outbox: only published rows count, and there is none; inbox: the row two days old.
    expect(oldest).toMatchObject({ outbox: 0, dead_letters: 0 })
    expect(oldest.inbox).toBeGreaterThanOrEqual(172_800)
    expect(oldest.inbox).toBeLessThan(172_900)
    expect((await scraped('retention_table_rows')).inbox).toBe(1)
    expect((await scraped('retention_table_bytes')).outbox).toBeGreaterThan(0)
  })
})

describe('the inbox retention rule on Kafka', () => {
  const brokerKeeping = (retentionMs: number | Error): Transport => ({
    ...transport,
    logRetentionMs: async () => {
      if (retentionMs instanceof Error) throw retentionMs
      return retentionMs
    },
  })
  const warningsFor = async (INBOX_RETENTION: string, broker: Transport) => {
    const warnings: unknown[] = []
    const logger = testLogger.child({})
    logger.warn = ((fields: unknown) => warnings.push(fields)) as typeof logger.warn
    await warnWhenInboxForgetsFirst(
      { INBOX_RETENTION, ORDERS_TOPIC: 'a', PAYMENT_RESULTS_TOPIC: 'b' },
      broker,
      logger,
    )
    return warnings
  }

  it("when INBOX_RETENTION is not longer than a topic's retention.ms, then each such topic is warned about", async () => {
    expect(await warningsFor('7d', brokerKeeping(parseDuration('7d')))).toEqual([
      { topic: 'a', retentionMs: 604_800_000, INBOX_RETENTION: '7d' },
      { topic: 'b', retentionMs: 604_800_000, INBOX_RETENTION: '7d' },
    ])
    expect(await warningsFor('30d', brokerKeeping(Number.POSITIVE_INFINITY))).toHaveLength(2)
  })

  it('when INBOX_RETENTION outlasts the topics, or the broker cannot say, then nothing is warned', async () => {
    expect(await warningsFor('8d', brokerKeeping(parseDuration('7d')))).toEqual([])
    expect(await warningsFor('1d', brokerKeeping(new Error('no such topic')))).toEqual([])
    expect(await warningsFor('1d', transport)).toEqual([])
  })
})
