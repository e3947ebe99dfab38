import { fileURLToPath } from 'node:url'
import pg from 'pg'
import type { Logger } from 'pino'
import { notifySoon } from '../../db/coalesced-notify.ts'
import { listen } from '../../db/listener.ts'
import { migrate } from '../../db/migrate.ts'
import { createPool } from '../../db/pool.ts'
import { inTransaction } from '../../db/transaction.ts'
import type { ConsumerLag, OutgoingMessage, SubscribeOptions, Subscription, Transport } from '../port.ts'
import { GroupConsumer } from './group-consumer.ts'
import { BROKER_CHANNEL, partitionFor, stableHash } from './keys.ts'

export interface EmbeddedTransportOptions {
  connectionString: string
  /** Partitions of a topic this transport creates; an existing topic keeps its count. */
  partitions: number
  logger: Logger
  batchSize?: number
  /** How long an idle consumer sleeps when no notification arrives; notifications wake it at once. */
  idlePollMs?: number
}

const SCHEMA = 'broker'
const MIGRATIONS = fileURLToPath(new URL('./migrations', import.meta.url))

/**
 * The single-machine transport: a log table in PostgreSQL with LISTEN/NOTIFY wake-ups, so the
 * whole system runs with nothing but Node and PostgreSQL. Kafka replaces it by configuration.
 */
export async function createEmbeddedTransport(options: EmbeddedTransportOptions): Promise<Transport> {
  const pool = createPool({
    connectionString: options.connectionString,
    schema: SCHEMA,
    applicationName: 'broker',
  })
  await migrate(pool, SCHEMA, [{ name: 'broker', directory: MIGRATIONS }])

  const partitionCounts = new Map<string, number>()
  const consumers = new Set<GroupConsumer>()
  const consumersByTopic = new Map<string, Set<GroupConsumer>>()
  const subscribed = new Map<GroupConsumer, { group: string; topic: string; partitions: number }>()
  let listener: ReturnType<typeof listen> | undefined

  const ensureTopic = async (topic: string): Promise<number> => {
    const known = partitionCounts.get(topic)
    if (known) return known
    const { rows } = await pool.query<{ partitions: number }>(
      `WITH created AS (
         INSERT INTO topics (name, partitions) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING partitions
       )
       SELECT partitions FROM created UNION ALL SELECT partitions FROM topics WHERE name = $1`,
      [topic, options.partitions],
    )
    const partitions = rows[0]?.partitions ?? options.partitions
    partitionCounts.set(topic, partitions)
    return partitions
  }

  return {
    name: 'embedded',

    async publish(topic: string, messages: readonly OutgoingMessage[]) {
      if (messages.length === 0) return
      const partitions = await ensureTopic(topic)
      await inTransaction(pool, async (tx) => {
        // One writer per topic at a time: offsets are then committed in the order they were
        // assigned, and a consumer reading "after offset N" can never skip a late commit.
        await tx.query('SELECT pg_advisory_xact_lock($1::int)', [stableHash(`publish:${topic}`)])
        await tx.query(
          `INSERT INTO messages (topic, partition, key, value, headers)
           SELECT $1, partition, key, value, headers
             FROM unnest($2::int[], $3::text[], $4::text[], $5::jsonb[]) WITH ORDINALITY
                  AS batch(partition, key, value, headers, position)
            ORDER BY position`,
          [
            topic,
            messages.map((message) => partitionFor(message.key, partitions)),
            messages.map((message) => message.key),
            messages.map((message) => message.value),
            messages.map((message) => JSON.stringify(message.headers ?? {})),
          ],
        )
        tx.afterCommit(`broker:${topic}`, (committedOn) =>
          notifySoon(committedOn, pg.escapeLiteral(BROKER_CHANNEL), topic),
        )
      })
    },

    async subscribe({ topic, group, handleBatch }: SubscribeOptions): Promise<Subscription> {
      const partitions = await ensureTopic(topic)
      listener ??= listen({
        connectionString: options.connectionString,
        channels: [BROKER_CHANNEL],
        logger: options.logger,
        onNotify: (_channel, notifiedTopic) => {
          for (const consumer of consumersByTopic.get(notifiedTopic) ?? []) consumer.wake()
        },
      })
      const consumer = new GroupConsumer({
        pool,
        connectionString: options.connectionString,
        topic,
        partitions,
        group,
        handleBatch,
        logger: options.logger,
        batchSize: options.batchSize ?? 200,
        idlePollMs: options.idlePollMs ?? 1_000,
      })
      const ofTopic = consumersByTopic.get(topic) ?? new Set()
      consumersByTopic.set(topic, ofTopic.add(consumer))
      consumers.add(consumer)
      subscribed.set(consumer, { group, topic, partitions })
      consumer.start()
      return {
        async close() {
          ofTopic.delete(consumer)
          consumers.delete(consumer)
          subscribed.delete(consumer)
          await consumer.close()
        },
      }
    },

    async consumerLag(): Promise<ConsumerLag[]> {
      return Promise.all(
        [...subscribed.values()].map(async ({ group, topic, partitions }) => {
          // Partition by partition, so each count is a range scan of the primary key.
          const { rows } = await pool.query<{ lag: number }>(
            `SELECT COALESCE(sum(behind.n), 0)::int AS lag
               FROM generate_series(0, $3::int - 1) AS p(partition)
               CROSS JOIN LATERAL (
                 SELECT count(*) AS n FROM messages m
                  WHERE m.topic = $1 AND m.partition = p.partition
                    AND m."offset" > COALESCE((SELECT c."offset" FROM committed_offsets c
                                               WHERE c.group_id = $2 AND c.topic = $1 AND c.partition = p.partition), 0)
               ) AS behind`,
            [topic, group, partitions],
          )
          return { group, topic, lag: rows[0]?.lag ?? 0 }
        }),
      )
    },

    async isConnected() {
      return pool.query('SELECT 1').then(
        () => true,
        () => false,
      )
    },

    async close() {
      await Promise.all([...consumers].map((consumer) => consumer.close()))
      await listener?.close()
      await pool.end()
    },
  }
}
