import { IDEMPOTENCY_KEY_LIFETIME_MS } from '@shop/contracts'
import type pg from 'pg'
import type { Static, TObject } from 'typebox'
import type { commonSettings } from '../config.ts'
import { createPool } from '../db/pool.ts'
import type { Logger } from '../logger.ts'
import type { ServiceMetrics } from '../metrics.ts'
import type { Transport } from '../transport/port.ts'
import { DailyPartitions } from './daily-partitions.ts'
import { parseDuration } from './duration.ts'
import { DEAD_LETTERS, IDEMPOTENCY_KEYS, INBOX, LOG_MESSAGES, OUTBOX } from './retained-tables.ts'
import { registerRetentionGauges } from './retention-metrics.ts'
import { type RetentionTarget, RetentionTrimmer } from './retention-trimmer.ts'

type RetentionSettings = Pick<
  Static<TObject<typeof commonSettings>>,
  | 'OUTBOX_RETENTION'
  | 'INBOX_RETENTION'
  | 'LOG_RETENTION'
  | 'DEAD_LETTER_RETENTION'
  | 'RETENTION_INTERVAL'
  | 'DATABASE_URL'
  | 'BROKER_DATABASE_URL'
  | 'ORDERS_TOPIC'
  | 'PAYMENT_RESULTS_TOPIC'
>

/** The service's own outbox, inbox, dead letters and idempotency keys, and the embedded log when it has one. */
export function retentionTargets(
  settings: RetentionSettings,
  pool: pg.Pool,
  brokerPool?: pg.Pool,
): RetentionTarget[] {
  return [
    { pool, table: OUTBOX, retentionMs: parseDuration(settings.OUTBOX_RETENTION) },
    { pool, table: INBOX, retentionMs: parseDuration(settings.INBOX_RETENTION) },
    { pool, table: DEAD_LETTERS, retentionMs: parseDuration(settings.DEAD_LETTER_RETENTION) },
    { pool, table: IDEMPOTENCY_KEYS, retentionMs: IDEMPOTENCY_KEY_LIFETIME_MS },
    ...(brokerPool
      ? [{ pool: brokerPool, table: LOG_MESSAGES, retentionMs: parseDuration(settings.LOG_RETENTION) }]
      : []),
  ]
}

/**
 * Where the broker can say how long it keeps a topic (Kafka's retention.ms), warns when the inbox
 * forgets a message id before the topic forgets the message: a redelivery would then find no inbox
 * row. A warning, not a refusal: the topic may not exist yet, and its retention may change later.
 */
export async function warnWhenInboxForgetsFirst(
  settings: Pick<RetentionSettings, 'INBOX_RETENTION' | 'ORDERS_TOPIC' | 'PAYMENT_RESULTS_TOPIC'>,
  transport: Transport,
  logger: Logger,
): Promise<void> {
  const inboxMs = parseDuration(settings.INBOX_RETENTION)
  for (const topic of [settings.ORDERS_TOPIC, settings.PAYMENT_RESULTS_TOPIC]) {
    const retentionMs = await transport.logRetentionMs?.(topic).catch(() => undefined)
    if (retentionMs === undefined || inboxMs > retentionMs) continue
    logger.warn(
      { topic, retentionMs, INBOX_RETENTION: settings.INBOX_RETENTION },
      "INBOX_RETENTION is not longer than the topic's retention.ms: a message redelivered after its inbox row is trimmed relies on the business keys alone",
    )
  }
}

/**
 * Creates today's and tomorrow's partitions of the tables partitioned by day, then starts trimming
 * a service's tables and reporting their size; run before anything writes to those tables, so no
 * row of today lands in a default partition. On the embedded transport every
 * service trims the shared log too, on a one-connection pool of its own; the trimmer's per-table
 * lock keeps the instances from trimming it together. On Kafka the broker applies retention.ms.
 */
export async function startRetention(options: {
  settings: RetentionSettings
  pool: pg.Pool
  transport: Transport
  logger: Logger
  metrics: ServiceMetrics
}): Promise<{ close(): Promise<void> }> {
  const { settings, pool, transport, logger, metrics } = options
  const brokerPool =
    transport.name === 'embedded'
      ? createPool({
          connectionString: settings.BROKER_DATABASE_URL ?? settings.DATABASE_URL,
          schema: 'broker',
          applicationName: 'retention',
          max: 1,
        })
      : undefined
  const targets = retentionTargets(settings, pool, brokerPool)
  const partitions = new DailyPartitions(logger)
  for (const target of targets) {
    // A boot that cannot create them (another instance holds the table a moment too long) goes
    // on: the rows wait in the default partition and the first round creates the day's partition.
    await partitions.ensure(target).catch((error) => {
      logger.warn(
        { err: error, table: target.table.name },
        'cannot create the daily partitions; next round retries',
      )
    })
  }
  registerRetentionGauges(metrics, targets)
  const trimmer = new RetentionTrimmer({
    targets,
    logger,
    metrics,
    partitions,
    intervalMs: parseDuration(settings.RETENTION_INTERVAL),
  })
  trimmer.start()
  void warnWhenInboxForgetsFirst(settings, transport, logger)
  return {
    async close() {
      await trimmer.stop()
      await brokerPool?.end()
    },
  }
}
