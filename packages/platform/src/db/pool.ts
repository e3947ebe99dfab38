import pg from 'pg'

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
