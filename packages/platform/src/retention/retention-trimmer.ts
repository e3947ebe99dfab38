import type pg from 'pg'
import { inTransaction } from '../db/transaction.ts'
import type { Logger } from '../logger.ts'
import type { ServiceMetrics } from '../metrics.ts'
import { DailyPartitions, retentionLock } from './daily-partitions.ts'
import type { RetainedTable, TrimResult } from './retained-tables.ts'

/** Rounds in a row a busy table's expired days may wait to go whole before the batched delete takes them. */
const MAX_DEFERRED_ROUNDS = 3

/** One table to trim, on the pool whose search_path holds it, and how long its rows are kept. */
export interface RetentionTarget {
  pool: pg.Pool
  table: RetainedTable
  retentionMs: number
}

export interface RetentionTrimmerOptions {
  targets: RetentionTarget[]
  logger: Logger
  metrics?: ServiceMetrics
  /** Rows one statement deletes: small enough that no batch holds locks or writes WAL for long. */
  batchSize?: number
  /** Pause between rounds. A row outlives its retention by at most this much, plus the round itself. */
  intervalMs?: number
  /** The upkeep of the tables partitioned by day; shared with boot, which creates today's partitions first. */
  partitions?: DailyPartitions
}

/**
 * Forgets what each table no longer needs, every interval. A table partitioned by day first gets
 * its partitions of today and tomorrow, and loses its expired days whole (daily-partitions.ts).
 * What is left is deleted in small batches of oldest rows, one
 * short transaction each. Each batch takes a transaction-scoped advisory lock named after the
 * schema and table first; when another instance holds it, that instance is trimming the table and
 * this one leaves the table alone for the round. So two instances never delete from one table at
 * the same moment: at worst, one that asks between another's batches takes the next turn.
 */
export class RetentionTrimmer {
  readonly #options: Required<Omit<RetentionTrimmerOptions, 'metrics'>> &
    Pick<RetentionTrimmerOptions, 'metrics'>
  #timer: NodeJS.Timeout | undefined
  #round: Promise<unknown> | undefined
  #stopping = false
  /** Per table, the rounds in a row that found it too busy to drop its expired days. */
  readonly #deferredRounds = new Map<RetentionTarget, number>()

  constructor(options: RetentionTrimmerOptions) {
    this.#options = {
      batchSize: 5_000,
      intervalMs: 60_000,
      partitions: new DailyPartitions(options.logger),
      ...options,
    }
  }

  start(): void {
    this.#schedule(0)
  }

  /** Ends the round under way after its current batch. */
  async stop(): Promise<void> {
    this.#stopping = true
    clearTimeout(this.#timer)
    await this.#round
  }

  /** Trims every table once, until none has an expired row left; answers the rows deleted per table. */
  async trimAll(): Promise<Map<string, number>> {
    const trimmed = new Map<string, number>()
    for (const target of this.#options.targets) {
      const rows = await this.#trimTable(target).catch((error) => {
        this.#options.logger.warn(
          { err: error, table: target.table.name },
          'cannot trim table; next round retries',
        )
        return 0
      })
      trimmed.set(target.table.name, rows)
    }
    return trimmed
  }

  #schedule(delayMs: number): void {
    this.#timer = setTimeout(() => {
      this.#round = this.trimAll().finally(() => {
        if (!this.#stopping) this.#schedule(this.#options.intervalMs)
      })
    }, delayMs)
    this.#timer.unref()
  }

  async #trimTable(target: RetentionTarget): Promise<number> {
    const { pool, table, retentionMs } = target
    const { batchSize, partitions } = this.#options
    await partitions.ensure(target)
    const days = await partitions.dropExpired(target)
    let total = this.#report(table, days)
    // Days the table was too busy to drop wait for the next round, whole: the batched delete would
    // forget them row by row, which is the cost (WAL, then vacuum) that dropping them saves. Only
    // for a few rounds, so that a table never free for long enough still forgets.
    const deferred = days.left > 0 ? (this.#deferredRounds.get(target) ?? 0) + 1 : 0
    this.#deferredRounds.set(target, deferred)
    if (deferred > 0 && deferred <= MAX_DEFERRED_ROUNDS) return total
    for (;;) {
      const batch = await inTransaction(pool, async (tx): Promise<TrimResult | undefined> => {
        if (!(await retentionLock(tx, table.name))) return undefined
        const { rows } = await tx.query<{ leaf: string }>(table.oldestExpiredLeaf, [retentionMs])
        const leaf = rows[0]?.leaf
        if (leaf === undefined) return undefined
        return (await tx.query<TrimResult>(table.trimBatch(leaf), [retentionMs, batchSize])).rows[0]
      })
      if (batch === undefined) return total
      total += this.#report(table, batch)
      if (batch.trimmed === 0 || this.#stopping) return total
    }
  }

  /** Counts what went, and says which groups lost log messages they had not read; answers the rows. */
  #report(table: RetainedTable, { trimmed, unread }: TrimResult): number {
    const { logger, metrics } = this.#options
    metrics?.trimmed.inc({ table: table.name }, trimmed)
    for (const { group, topic, messages } of unread) {
      metrics?.expiredUnread.inc({ group, topic }, messages)
      logger.warn(
        { group, topic, messages },
        'log messages expired before the group read them; it resumes at the oldest message left',
      )
    }
    return trimmed
  }
}
