import pg from 'pg'

export type Queryable = pg.Pool | pg.PoolClient
export type Transaction = pg.PoolClient
/** Where a use case runs: the pool (it opens its own transaction) or a caller's transaction it joins. */
export type Database = pg.Pool | Transaction

const SCHEMA_NAME = /^[a-z_][a-z0-9_]*$/

/** The seed writes SQLAlchemy URLs (`postgresql+asyncpg://`); node-postgres wants the plain scheme. */
export function normalizeDatabaseUrl(url: string): string {
  return url.replace(/^postgres(ql)?\+\w+:\/\//, 'postgresql://')
}

export function assertSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name ${JSON.stringify(schema)}`)
  return schema
}

export interface PoolOptions {
  connectionString: string
  /** Every service keeps its tables in its own schema, so services may even share one database. */
  schema: string
  applicationName: string
  max?: number
}

export function createPool(options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: normalizeDatabaseUrl(options.connectionString),
    application_name: options.applicationName,
    options: `-c search_path=${assertSchemaName(options.schema)}`,
    max: options.max ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  })
  // A connection cut while idle in the pool is reported here, and one cut while checked out (say
  // between two statements of a transaction) on the client itself: without these listeners either
  // would crash the process. The next statement on that client fails, and the client is discarded.
  pool.on('error', () => {})
  pool.on('connect', (client) => client.on('error', () => {}))
  return pool
}

/** Told once the transaction committed, with the pool it ran on; it must not throw. */
type AfterCommit = (pool: pg.Pool) => void
const afterCommits = new WeakMap<Transaction, Map<string, AfterCommit>>()
/** The pool each open transaction came from: work after the commit uses the pool, not the connection. */
const poolOf = new WeakMap<Transaction, pg.Pool>()

/**
 * Calls `callback` once the transaction has committed (never if it rolls back), once per `key`
 * however often it is asked, with the pool the transaction came from; outside a transaction, at
 * once. For wake-ups such as NOTIFY: PostgreSQL makes every committing transaction that notified
 * wait for one cluster-wide lock held through its disk flush, so notifying inside the transaction
 * serialises commits, and one sent on the connection after COMMIT still costs the request a round
 * trip. The callback runs after the connection went back to the pool and is not waited for.
 */
export function afterCommit(db: Queryable, key: string, callback: AfterCommit): void {
  if (db instanceof pg.Pool) {
    callback(db)
    return
  }
  if (!poolOf.has(db)) throw new Error('afterCommit needs a transaction opened by withTransaction')
  const callbacks = afterCommits.get(db) ?? new Map<string, AfterCommit>()
  afterCommits.set(db, callbacks.set(key, callback))
}

function runAfterCommits(client: Transaction, pool: pg.Pool): void {
  const callbacks = afterCommits.get(client)
  afterCommits.delete(client)
  for (const callback of callbacks?.values() ?? []) {
    try {
      callback(pool)
    } catch {
      // The work is committed: a failing follow-up (a lost wake-up) must not turn it into an error.
    }
  }
}

/**
 * Runs `work` in one transaction: committed when it resolves, rolled back when it throws. Given a
 * transaction instead of the pool, `work` joins it, so a caller (such as an idempotent request,
 * which records its response) can make a use case's writes part of its own transaction.
 */
export async function withTransaction<T>(db: Database, work: (trx: Transaction) => Promise<T>): Promise<T> {
  if (!(db instanceof pg.Pool)) return work(db)
  const client = await db.connect()
  poolOf.set(client, db)
  let broken = false
  let committed = false
  try {
    await client.query('BEGIN')
    const result = await work(client)
    await client.query('COMMIT')
    committed = true
    return result
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {
      broken = true
    })
    throw error
  } finally {
    poolOf.delete(client)
    client.release(broken)
    if (committed) runAfterCommits(client, db)
    else afterCommits.delete(client)
  }
}
