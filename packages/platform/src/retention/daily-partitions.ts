import type pg from 'pg'
import { autocommit, type Executor, inTransaction, type Transaction } from '../db/transaction.ts'
import type { Logger } from '../logger.ts'
import { sleep } from '../wakeup.ts'
import type { RetainedTable, TrimResult } from './retained-tables.ts'

/** What dropping expired days forgot, and how many of them the table was too busy to let go. */
export interface DroppedDays extends TrimResult {
  left: number
}

/** One table partitioned by day, on the pool whose search_path holds it, and how long its rows are kept. */
export interface PartitionedTarget {
  pool: pg.Pool
  table: RetainedTable
  retentionMs: number
}

/**
 * How long creating or dropping a partition waits for its lock on the table. Waiting, it queues
 * every insert behind it, so the wait is short; a round that cannot get the lock tries next round.
 */
const LOCK_TIMEOUT = '100ms'

const DAY_MS = 86_400_000

/** Expired days dropped in one round at most. */
const DAYS_PER_ROUND = 64
/**
 * Days detached and dropped under one lock of the table. Each lock holds up the table's inserts
 * for its catalog changes, about a millisecond a day: a few days a lock keeps each wait short, and
 * far fewer waits than one a day.
 */
const DAYS_PER_LOCK = 4
/** Between two locks, so the inserts that waited for one go before the next. */
const PAUSE_BETWEEN_LOCKS_MS = 50
/** Tries for the table's lock, all but the last without waiting, LOCK_RETRY_MS apart. */
const LOCK_ATTEMPTS = 20
const LOCK_RETRY_MS = 5

/** PostgreSQL's answer when the default partition holds rows of a range being attached. */
const CHECK_VIOLATION = '23514'
/** PostgreSQL's answer when lock_timeout passed: the table was busy, and the next round tries again. */
const LOCK_NOT_AVAILABLE = '55P03'

const codeOf = (error: unknown) => (error as { code?: string }).code

/** How the name of a day's partition ends (partitionName): `_p` and the day as yyyymmdd. */
const DAY_SUFFIX = `'_p[0-9]{8}$'`

/**
 * Whether the day a table named `<table>_p<yyyymmdd>` holds ended $2 ms or more ago; null for any
 * other name (the CASE keeps to_date from ever seeing one, whatever order the filters run in).
 */
const dayExpired = (relname: string) =>
  `CASE WHEN ${relname} ~ ${DAY_SUFFIX} THEN (to_date(right(${relname}, 8), 'YYYYMMDD') + 1)::timestamp
         AT TIME ZONE 'UTC' <= now() - $2::float8 * interval '1 millisecond' END`

/** The daily partitions of a table, oldest first, with whether each one's day ended $2 ms or more ago. */
const DAYS = `SELECT child.relname AS name, ${dayExpired('child.relname')} AS expired
  FROM pg_inherits i JOIN pg_class child ON child.oid = i.inhrelid
 WHERE i.inhparent = to_regclass($1) AND child.relname ~ ${DAY_SUFFIX}
 ORDER BY child.relname`

/**
 * Expired days of the table $1 that are attached to nothing: days a round detached and did not get
 * to drop. A day detached by hand to be kept must be renamed, or it goes too once expired.
 */
const LEFT_OVER_DAYS = `SELECT day.relname AS name
  FROM pg_class day JOIN pg_class parent ON parent.relnamespace = day.relnamespace
 WHERE parent.oid = to_regclass($1) AND day.relkind = 'r' AND NOT day.relispartition
   AND day.relname ~ ('^' || parent.relname || ${DAY_SUFFIX}) AND ${dayExpired('day.relname')}`

const utcDay = (date: Date) => date.toISOString().slice(0, 10)

/**
 * The upkeep of tables partitioned by day (UTC), named `<table>_p<yyyymmdd>`, beside a default
 * partition that takes rows of any other day: it creates today's and tomorrow's partitions ahead,
 * and drops the partitions of expired days whole, so forgetting a day writes no WAL for its rows
 * and leaves nothing to vacuum. Both take the table's retention lock (retention-trimmer.ts), so two
 * instances never change one table's partitions at once.
 */
export class DailyPartitions {
  readonly #logger: Logger
  /** Partitions that could not be created because the default partition holds rows of their day. */
  readonly #blocked = new Set<string>()

  constructor(logger: Logger) {
    this.#logger = logger
  }

  /**
   * Creates today's and tomorrow's partitions of the table when missing; run at boot before
   * anything writes, so no row of today lands in the default partition, and at every round.
   */
  async ensure(target: Pick<PartitionedTarget, 'pool' | 'table'>): Promise<void> {
    if (!target.table.daily) return
    // A table laid out without partitions (a benchmark's) is trimmed in batches alone.
    const { rows } = await target.pool.query<{ now: Date; partitioned: boolean }>(
      `SELECT now(), EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass($1)) AS partitioned`,
      [target.table.name],
    )
    if (!rows[0]?.partitioned) return
    const now = rows[0].now
    for (const days of [0, 1]) await this.createDay(target, new Date(now.getTime() + days * DAY_MS))
  }

  /**
   * Drops the daily partitions whose day ended a retention or more ago, unless the table says a
   * day's rows are still needed (then the batched delete takes what may go). A round's expired days
   * are detached a few under each lock of the table (each lock queues the inserts behind it for a
   * moment, so a month of history is a few such moments rather than thirty) and dropped once
   * detached. Answers the rows dropped and, for the log, the messages dropped before a group read them.
   */
  async dropExpired({ pool, table, retentionMs }: PartitionedTarget): Promise<DroppedDays> {
    const result: DroppedDays = { trimmed: 0, unread: [], left: 0 }
    const daily = table.daily
    if (!daily) return result
    await this.#dropLeftOver(pool, table, retentionMs)
    const keeps = async (db: Executor, name: string) =>
      daily.keepsDay !== undefined &&
      (await db.query(`SELECT 1 FROM ${name} WHERE ${daily.keepsDay} LIMIT 1`, [retentionMs])).rows.length > 0
    const { rows } = await pool.query<{ name: string; expired: boolean }>(DAYS, [table.name, retentionMs])
    // Looked at first without the lock, so that a day that must stay costs the inserts nothing.
    const candidates: string[] = []
    for (const { name } of rows.filter((row) => row.expired).slice(0, DAYS_PER_ROUND)) {
      if (!(await keeps(autocommit(pool), name))) candidates.push(name)
    }
    if (candidates.length === 0) return result
    // Counted before the lock: the counts read statistics and indexes, never a day's rows.
    const counts = new Map<string, TrimResult>()
    for (const name of candidates) {
      const counted = (await pool.query<TrimResult>(daily.countDropped(name))).rows[0]
      if (counted) counts.set(name, counted)
    }
    const dropped: string[] = []
    for (let from = 0; from < candidates.length; from += DAYS_PER_LOCK) {
      if (from > 0) await sleep(PAUSE_BETWEEN_LOCKS_MS)
      dropped.push(
        ...(await this.#dropDays(pool, table, candidates.slice(from, from + DAYS_PER_LOCK), keeps)),
      )
    }
    result.left = candidates.length - dropped.length
    for (const name of dropped) {
      const counted = counts.get(name) ?? { trimmed: 0, unread: [] }
      this.#logger.info({ table: table.name, partition: name, rows: counted.trimmed }, 'expired day dropped')
      result.trimmed += counted.trimmed
      result.unread.push(...counted.unread)
    }
    return result
  }

  /**
   * Detaches `days` from `table` in one transaction, under one lock of the table, then drops each
   * detached day in a transaction of its own; answers the days that went (none when the table
   * stayed busy). Dropping a table unlinks its files and evicts its pages from shared buffers at
   * commit, before its locks go: done while detached, that holds up no one, where inside the
   * detach it held every insert into the table for as long (16–17 ms a few days, measured).
   */
  async #dropDays(
    pool: pg.Pool,
    table: RetainedTable,
    days: string[],
    keeps: (db: Executor, name: string) => Promise<boolean>,
  ): Promise<string[]> {
    const detached = await this.#detachDays(pool, table, days, keeps)
    for (const name of detached) await pool.query(`DROP TABLE IF EXISTS ${name}`)
    return detached
  }

  /**
   * A lock request that waits holds up every insert that comes after it, for as long as it waits:
   * so the lock is asked for without waiting, a few times, at moments the table is free (between
   * two of its short transactions), and only the last try waits, for at most LOCK_TIMEOUT.
   */
  async #detachDays(
    pool: pg.Pool,
    table: RetainedTable,
    days: string[],
    keeps: (db: Executor, name: string) => Promise<boolean>,
  ): Promise<string[]> {
    for (let attempt = 1; ; attempt++) {
      const waits = attempt === LOCK_ATTEMPTS
      try {
        return await inTransaction(pool, async (tx) => {
          if (!(await retentionLock(tx, table.name))) return []
          await tx.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`)
          // The lock goes at commit: not waiting for the disk lets the inserts go a flush sooner. A
          // crash that loses the detach leaves the days attached, for the next round.
          await tx.query('SET LOCAL synchronous_commit = off')
          // PostgreSQL refuses DETACH PARTITION CONCURRENTLY on a table with a default partition, so
          // the plain DETACH takes the table's ACCESS EXCLUSIVE lock, held here for the catalog changes only.
          await tx.query(`LOCK TABLE ${table.name} IN ACCESS EXCLUSIVE MODE${waits ? '' : ' NOWAIT'}`)
          const going: string[] = []
          // Checked again under that lock, so no row the check would keep can arrive after it.
          for (const name of days) if (!(await keeps(tx, name))) going.push(name)
          for (const name of going) await tx.query(`ALTER TABLE ${table.name} DETACH PARTITION ${name}`)
          return going
        })
      } catch (error) {
        if (codeOf(error) !== LOCK_NOT_AVAILABLE) throw error
        if (waits) return []
        await sleep(LOCK_RETRY_MS)
      }
    }
  }

  /** Drops the expired days a round detached but did not get to drop (it died between the two). */
  async #dropLeftOver(pool: pg.Pool, table: RetainedTable, retentionMs: number): Promise<void> {
    const { rows } = await pool.query<{ name: string }>(LEFT_OVER_DAYS, [table.name, retentionMs])
    for (const { name } of rows) {
      await pool.query(`DROP TABLE IF EXISTS ${name}`)
      this.#logger.info({ table: table.name, partition: name }, 'expired day left detached dropped')
    }
  }

  /**
   * Creates the partition of the UTC day `day` falls in, when missing, as `ensure` does for today
   * and tomorrow; warns once when the default partition holds rows of that day.
   */
  async createDay({ pool, table }: Pick<PartitionedTarget, 'pool' | 'table'>, day: Date): Promise<void> {
    const name = partitionName(table.name, day)
    // Most rounds find the day there: no transaction, no lock to wait for.
    if (await exists(autocommit(pool), name)) return
    try {
      await inTransaction(pool, async (tx) => {
        await tx.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`)
        await tx.query(`SELECT pg_advisory_xact_lock(${RETENTION_LOCK_KEY})`, [table.name])
        await attachDay(tx, table.name, day)
      })
    } catch (error) {
      if (codeOf(error) === LOCK_NOT_AVAILABLE) {
        this.#logger.warn(
          { table: table.name, partition: name },
          'table busy: its partition is created next round',
        )
        return
      }
      if (codeOf(error) !== CHECK_VIOLATION) throw error
      if (this.#blocked.has(name)) return
      this.#blocked.add(name)
      this.#logger.warn(
        { table: table.name, partition: name },
        'the default partition holds rows of this day: the day stays there and goes by the batched delete',
      )
    }
  }
}

/** `outbox` and a time in 2026-12-01 (UTC) → `outbox_p20261201`. */
const partitionName = (table: string, day: Date) => `${table}_p${utcDay(day).replaceAll('-', '')}`

/** Whatever runs a statement: a transaction of the platform, or a client of a tool. */
interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>
}

const exists = async (db: Queryable, name: string) =>
  (await db.query('SELECT 1 FROM pg_class WHERE oid = to_regclass($1)', [name])).rows.length > 0

/**
 * Creates the partition of the UTC day `day` falls in and attaches it to `table` (in the search
 * path), unless it exists; in the caller's transaction, which holds the table's retention lock.
 */
export async function attachDay(db: Queryable, table: string, day: Date): Promise<void> {
  const name = partitionName(table, day)
  if (await exists(db, name)) return
  // CREATE TABLE ... PARTITION OF takes the table's ACCESS EXCLUSIVE lock; ATTACH PARTITION only
  // SHARE UPDATE EXCLUSIVE, which lets inserts go on (and ACCESS EXCLUSIVE on the default
  // partition, which it scans for rows of the new range).
  await db.query(`CREATE TABLE ${name} (LIKE ${table} INCLUDING DEFAULTS)`)
  const [from, to] = [utcDay(day), utcDay(new Date(day.getTime() + DAY_MS))]
  await db.query(
    `ALTER TABLE ${table} ATTACH PARTITION ${name} FOR VALUES FROM ('${from} 00:00+00') TO ('${to} 00:00+00')`,
  )
}

/** The per-table retention lock of retention-trimmer.ts: one instance at a time trims or repartitions a table. */
export const RETENTION_LOCK_KEY = `hashtext('retention:' || current_schema() || '.' || $1)`

/** Takes the table's retention lock if free; false when another instance holds it. */
export async function retentionLock(tx: Transaction, table: string): Promise<boolean> {
  const { rows } = await tx.query<{ acquired: boolean }>(
    `SELECT pg_try_advisory_xact_lock(${RETENTION_LOCK_KEY}) AS acquired`,
    [table],
  )
  return rows[0]?.acquired === true
}
