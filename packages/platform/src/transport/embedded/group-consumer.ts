import { randomInt } from 'node:crypto'
import pg from 'pg'
import type { Logger } from 'pino'
import { normalizeDatabaseUrl } from '../../db/pool.ts'
import { prepared } from '../../db/prepared.ts'
import { backoffMs, sleep, Wakeup } from '../../wakeup.ts'
import type { BatchHandler, DeliveredMessage } from '../port.ts'
import { stableHash } from './keys.ts'

export interface GroupConsumerOptions {
  pool: pg.Pool
  connectionString: string
  topic: string
  partitions: number
  group: string
  handleBatch: BatchHandler
  logger: Logger
  batchSize: number
  idlePollMs: number
}

const REBALANCE_INTERVAL_MS = 1_000

/** Up to $4 messages of each partition in $2 after the group's committed offset, in order. */
const FETCH = prepared(`
  SELECT p.partition, m."offset"::text AS "offset", m.key, m.value, m.headers
    FROM unnest($2::int[]) AS p(partition)
   CROSS JOIN LATERAL (
     SELECT "offset", key, value, headers
       FROM messages
      WHERE topic = $1 AND partition = p.partition
        AND "offset" > COALESCE(
              (SELECT "offset" FROM committed_offsets
                WHERE group_id = $3 AND topic = $1 AND partition = p.partition), 0)
      ORDER BY "offset"
      LIMIT $4) m
   ORDER BY p.partition, m."offset"`)

// GREATEST: a member that lost its partition mid-batch must not move the group backwards.
const COMMIT = prepared(`
  INSERT INTO committed_offsets (group_id, topic, partition, "offset")
  SELECT $1, $2, partition, "offset" FROM unnest($3::int[], $4::bigint[]) AS c(partition, "offset")
  ON CONFLICT (group_id, topic, partition) DO UPDATE
    SET "offset" = GREATEST(committed_offsets."offset", EXCLUDED."offset"), committed_at = now()`)

/**
 * One member of a consumer group on the embedded log. Ownership of a partition is a session
 * advisory lock held on the member's own connection, and membership is a lock too: when a process
 * dies its connection closes, PostgreSQL drops its locks, and the survivors take its partitions
 * over at their next rebalance. Each member owns at most its fair share, so instances split the work.
 */
export class GroupConsumer {
  readonly #options: GroupConsumerOptions
  readonly #wakeup = new Wakeup()
  readonly #owned = new Set<number>()
  readonly #memberLockKey: number
  readonly #partitionLockKey: number
  readonly #memberId = randomInt(0x7fffffff)
  #session: pg.Client | undefined
  #running = false
  #loop: Promise<void> | undefined
  #lastRebalanceAt = 0

  constructor(options: GroupConsumerOptions) {
    this.#options = options
    this.#memberLockKey = stableHash(`member:${options.group}/${options.topic}`)
    this.#partitionLockKey = stableHash(`partition:${options.group}/${options.topic}`)
  }

  start(): void {
    this.#running = true
    this.#loop = this.#run()
  }

  /** New messages were appended to the topic. */
  wake(): void {
    this.#wakeup.signal()
  }

  async close(): Promise<void> {
    this.#running = false
    this.#wakeup.signal()
    await this.#loop
    await this.#session?.end().catch(() => {})
    this.#session = undefined
    this.#owned.clear()
  }

  async #run(): Promise<void> {
    let failures = 0
    while (this.#running) {
      try {
        if (Date.now() - this.#lastRebalanceAt >= REBALANCE_INTERVAL_MS) await this.#rebalance()
        const handled = await this.#consumeOwnedPartitions()
        failures = 0
        if (handled === 0) await this.#wakeup.wait(this.#options.idlePollMs)
      } catch (error) {
        failures += 1
        const delayMs = backoffMs(failures)
        this.#options.logger.warn(
          { err: error, topic: this.#options.topic, group: this.#options.group, delayMs },
          'consumer batch failed; it will be delivered again',
        )
        await sleep(delayMs)
      }
    }
  }

  /**
   * Every owned partition in one fetch, one batch and one offset commit: a wake-up then costs two
   * statements and the handler's one transaction, however many partitions this member owns.
   */
  async #consumeOwnedPartitions(): Promise<number> {
    if (this.#owned.size === 0) return 0
    const batch = await this.#fetch([...this.#owned])
    if (batch.length === 0) return 0
    await this.#options.handleBatch(batch)
    await this.#commit(batch)
    return batch.length
  }

  async #fetch(partitions: number[]): Promise<DeliveredMessage[]> {
    const { topic, group, batchSize } = this.#options
    const { rows } = await this.#options.pool.query<{
      partition: number
      offset: string
      key: string
      value: string
      headers: Record<string, string>
    }>({
      ...FETCH,
      values: [topic, partitions, group, batchSize],
    })
    return rows.map((row) => ({ topic, ...row }))
  }

  /** The last offset handled of each partition in the batch, in one statement. */
  async #commit(batch: DeliveredMessage[]): Promise<void> {
    const last = new Map<number, string>()
    for (const message of batch) last.set(message.partition, message.offset)
    await this.#options.pool.query({
      ...COMMIT,
      values: [this.#options.group, this.#options.topic, [...last.keys()], [...last.values()]],
    })
  }

  async #rebalance(): Promise<void> {
    this.#lastRebalanceAt = Date.now()
    const session = await this.#ensureSession()
    const { rows } = await session.query<{ members: number }>(
      `SELECT count(*)::int AS members FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND classid = $1::oid
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [this.#memberLockKey],
    )
    const members = Math.max(1, rows[0]?.members ?? 1)
    const fairShare = Math.ceil(this.#options.partitions / members)

    for (const partition of [...this.#owned].sort((a, b) => b - a)) {
      if (this.#owned.size <= fairShare) break
      await session.query('SELECT pg_advisory_unlock($1::int, $2::int)', [this.#partitionLockKey, partition])
      this.#owned.delete(partition)
    }
    for (let partition = 0; partition < this.#options.partitions; partition++) {
      if (this.#owned.size >= fairShare) break
      if (this.#owned.has(partition)) continue
      const { rows: locked } = await session.query<{ acquired: boolean }>(
        'SELECT pg_try_advisory_lock($1::int, $2::int) AS acquired',
        [this.#partitionLockKey, partition],
      )
      if (locked[0]?.acquired) this.#owned.add(partition)
    }
  }

  async #ensureSession(): Promise<pg.Client> {
    if (this.#session) return this.#session
    const session = new pg.Client({
      connectionString: normalizeDatabaseUrl(this.#options.connectionString),
      application_name: `consumer ${this.#options.group}`,
    })
    session.on('error', () => {
      // The locks died with the connection: stop consuming until they are taken again.
      if (this.#session === session) {
        this.#session = undefined
        this.#owned.clear()
      }
    })
    try {
      await session.connect()
      await session.query('SELECT pg_advisory_lock($1::int, $2::int)', [this.#memberLockKey, this.#memberId])
    } catch (error) {
      await session.end().catch(() => {})
      throw error
    }
    this.#session = session
    return session
  }
}
