import type pg from 'pg'
import type { Logger } from 'pino'
import { crashPoint } from '../crash-points.ts'
import { type Listener, listen } from '../db/listener.ts'
import { prepared } from '../db/prepared.ts'
import { inTransaction } from '../db/transaction.ts'
import type { ServiceMetrics } from '../metrics.ts'
import { endingSpans, startSendSpan } from '../tracing.ts'
import type { OutgoingMessage, Transport } from '../transport/port.ts'
import { backoffMs, sleep, Wakeup } from '../wakeup.ts'
import { outboxChannel } from './outbox.ts'

export interface OutboxRelayOptions {
  pool: pg.Pool
  /** For the LISTEN connection, which must not be a pooled one. */
  connectionString: string
  schema: string
  transport: Transport
  logger: Logger
  batchSize?: number
  /** Safety net for a missed notification; a notification wakes the relay at once. */
  idlePollMs?: number
  /**
   * How long a woken relay waits for more rows before it publishes, so that under load one batch
   * (a transaction and a produce request) carries many messages instead of one or two.
   */
  lingerMs?: number
  metrics?: ServiceMetrics | undefined
}

interface OutboxRow {
  id: string
  topic: string
  message_key: string
  value: string
  headers: Record<string, string>
}

/** The oldest unpublished rows, if this relay gets the schema's lock (held until it commits); else none. */
const NEXT_BATCH = prepared(
  `WITH relay AS (SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked)
   SELECT id::text AS id, topic, message_key, value, headers
     FROM outbox, relay WHERE relay.locked AND published_at IS NULL ORDER BY outbox.id LIMIT $2`,
)
const MARK_PUBLISHED = prepared('UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])')

/**
 * Publishes outbox rows in id order and marks them published only after the transport accepted
 * them; on failure nothing is marked and the batch is retried with backoff. An advisory lock lets
 * one relay of a schema publish at a time, which keeps per-key order however many instances run.
 */
export class OutboxRelay {
  readonly #options: Required<Omit<OutboxRelayOptions, 'metrics'>> & Pick<OutboxRelayOptions, 'metrics'>
  readonly #wakeup = new Wakeup()
  #listener: Listener | undefined
  #running = false
  #loop: Promise<void> | undefined

  constructor(options: OutboxRelayOptions) {
    this.#options = { batchSize: 500, idlePollMs: 1_000, lingerMs: 2, ...options }
    options.metrics?.gauge(
      'outbox_backlog_messages',
      'Outbox messages not yet published.',
      [],
      async (gauge) => {
        const { rows } = await options.pool.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
        )
        gauge.set(rows[0]?.n ?? 0)
      },
    )
    options.metrics?.gauge(
      'outbox_oldest_unpublished_age_seconds',
      'Age of the oldest unpublished outbox message; 0 when none waits.',
      [],
      async (gauge) => {
        const { rows } = await options.pool.query<{ age: number | null }>(
          'SELECT extract(epoch FROM now() - min(created_at))::float8 AS age FROM outbox WHERE published_at IS NULL',
        )
        gauge.set(rows[0]?.age ?? 0)
      },
    )
  }

  start(): void {
    this.#running = true
    this.#listener = listen({
      connectionString: this.#options.connectionString,
      channels: [outboxChannel(this.#options.schema)],
      logger: this.#options.logger,
      onNotify: () => this.#wakeup.signal(),
    })
    this.#loop = this.#run()
  }

  /** Stops after the batch in flight is published and marked. */
  async stop(): Promise<void> {
    this.#running = false
    this.#wakeup.signal()
    await this.#loop
    await this.#listener?.close()
  }

  /** Publishes one batch; returns how many rows went out. Exposed for tests and tools. */
  async publishBatch(): Promise<number> {
    const { pool, transport, batchSize, schema } = this.#options
    return inTransaction(pool, async (tx) => {
      const { rows } = await tx.query<OutboxRow>({
        ...NEXT_BATCH,
        values: [`outbox-relay:${schema}`, batchSize],
      })
      if (rows.length === 0) return 0
      for (const [topic, messages] of groupByTopic(rows)) {
        const sends = messages.map((message) => startSendSpan(transport.name, topic, message))
        const [only] = sends
        const publish = () =>
          transport.publish(
            topic,
            sends.map((send) => send.message),
          )
        // A lone message's span is current while it is published, so the transport's own work shows
        // under it; a batch's publish is shared by all its messages and is no one's child.
        await endingSpans(
          sends.map((send) => send.span),
          sends.length === 1 && only ? () => only.span.within(publish) : publish,
        )
        this.#options.metrics?.published.inc({ topic }, messages.length)
      }
      crashPoint('relay.after_publish')
      await tx.query({ ...MARK_PUBLISHED, values: [rows.map((row) => row.id)] })
      return rows.length
    })
  }

  async #run(): Promise<void> {
    let failures = 0
    while (this.#running) {
      try {
        const published = await this.publishBatch()
        failures = 0
        if (published < this.#options.batchSize) {
          await this.#wakeup.wait(this.#options.idlePollMs)
          await sleep(this.#options.lingerMs)
        }
      } catch (error) {
        failures += 1
        const delayMs = backoffMs(failures)
        this.#options.logger.warn({ err: error, delayMs }, 'outbox relay could not publish; retrying')
        await sleep(delayMs)
      }
    }
  }
}

/** Groups rows by topic, keeping id order inside each topic (and so per key). */
function groupByTopic(rows: OutboxRow[]): Map<string, OutgoingMessage[]> {
  const byTopic = new Map<string, OutgoingMessage[]>()
  for (const row of rows) {
    const messages = byTopic.get(row.topic) ?? []
    messages.push({ key: row.message_key, value: row.value, headers: row.headers })
    byTopic.set(row.topic, messages)
  }
  return byTopic
}
