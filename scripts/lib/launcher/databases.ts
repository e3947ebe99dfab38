/** The databases a launched shop uses: given URLs, or an embedded PostgreSQL started here. */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type EmbeddedPostgresOptions, ensureDatabase } from '../embedded-postgres.ts'
import { type PostgresProcess, startPostgresProcess } from './postgres-process.ts'
import { freePort } from './service-process.ts'
import { type DatabaseRole, SHOP_DATABASES } from './shop-wiring.ts'

export type DatabaseChoice =
  | { kind: 'given'; urls: Record<DatabaseRole, string> }
  | {
      kind: 'embedded'
      /** Kept across runs when given; otherwise a temporary directory, deleted on stop. */
      dataDir?: string
      /** A free port when not given. */
      port?: number
      /** Extra server settings (`-c name=value`). */
      settings?: Record<string, string>
    }

export interface RunningDatabases {
  urls: Record<DatabaseRole, string>
  /** The embedded server, when one was started here. */
  postgres?: PostgresProcess
  stop(): Promise<void>
}

export async function provideDatabases(
  choice: DatabaseChoice,
  log: (line: string) => void,
): Promise<RunningDatabases> {
  if (choice.kind === 'given') return { urls: choice.urls, stop: async () => {} }
  const options = {
    port: choice.port ?? (await freePort()),
    ...(choice.settings ? { settings: choice.settings } : {}),
    log,
  }
  const postgres = choice.dataDir
    ? await startPostgresProcess({ ...options, dataDir: choice.dataDir, persistent: true })
    : await startThrowawayPostgres(options)
  await ensureShopDatabases(postgres).catch(async (error: unknown) => {
    await postgres.stop()
    throw error
  })
  const urls = Object.fromEntries(
    Object.entries(SHOP_DATABASES).map(([role, database]) => [role, postgres.urlFor(database)]),
  ) as Record<DatabaseRole, string>
  return { urls, postgres, stop: () => postgres.stop() }
}

/** An embedded PostgreSQL in a temporary directory, which stop() deletes. */
export async function startThrowawayPostgres(
  options: Omit<EmbeddedPostgresOptions, 'dataDir' | 'persistent'>,
): Promise<PostgresProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'shop-pg-'))
  const removeDataDir = () => rm(dataDir, { recursive: true, force: true })
  try {
    const postgres = await startPostgresProcess({ ...options, dataDir, persistent: false })
    return { ...postgres, stop: () => postgres.stop().finally(removeDataDir) }
  } catch (error) {
    // The error says why the server did not start; its directory is of no use to anyone.
    await removeDataDir()
    throw error
  }
}

async function ensureShopDatabases(postgres: PostgresProcess): Promise<void> {
  for (const database of Object.values(SHOP_DATABASES)) await ensureDatabase(postgres.adminUrl, database)
}
