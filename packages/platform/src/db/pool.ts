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

type AfterCommit = (client: Transaction) => Promise<unknown>
const afterCommits = new WeakMap<Transaction, Map<string, AfterCommit>>()

/**
 * Runs `callback` on the transaction's connection once it has committed (never if it rolls back),
 * once per `key` however often it is asked. For NOTIFY: PostgreSQL makes every committing
 * transaction that notified wait for one cluster-wide lock held through its disk flush, so
 * notifying inside the transaction serialises commits; a NOTIFY sent after it costs no flush.
 */
export function afterCommit(db: Queryable, key: string, callback: AfterCommit): Promise<unknown> | undefined {
  if (db instanceof pg.Pool)
    return db.connect().then(async (client) => {
      try {
        return await callback(client)
      } finally {
        client.release()
      }
    })
  const callbacks = afterCommits.get(db) ?? new Map<string, AfterCommit>()
  afterCommits.set(db, callbacks.set(key, callback))
  return undefined
}

async function runAfterCommits(client: Transaction): Promise<void> {
  const callbacks = afterCommits.get(client)
  afterCommits.delete(client)
  // The work is committed: a failing follow-up (a lost wake-up) must not turn it into an error.
  for (const callback of callbacks?.values() ?? []) await callback(client).catch(() => {})
}

/**
 * Runs `work` in one transaction: committed when it resolves, rolled back when it throws. Given a
 * transaction instead of the pool, `work` joins it, so a caller (such as an idempotent request,
 * which records its response) can make a use case's writes part of its own transaction.
 */
export async function withTransaction<T>(db: Database, work: (trx: Transaction) => Promise<T>): Promise<T> {
  if (!(db instanceof pg.Pool)) return work(db)
  const client = await db.connect()
  let broken = false
  try {
    await client.query('BEGIN')
    const result = await work(client)
    await client.query('COMMIT')
    await runAfterCommits(client)
    return result
  } catch (error) {
    afterCommits.delete(client)
    await client.query('ROLLBACK').catch(() => {
      broken = true
    })
    throw error
  } finally {
    client.release(broken)
  }
}
