import type pg from 'pg'
import { createPool } from '../../packages/platform/src/db/pool.ts'
import { DailyPartitions } from '../../packages/platform/src/retention/daily-partitions.ts'
import { LOG_MESSAGES } from '../../packages/platform/src/retention/retained-tables.ts'
import { createEmbeddedTransport } from '../../packages/platform/src/transport/embedded/embedded-transport.ts'
import type { Transport } from '../../packages/platform/src/transport/port.ts'
import { createTestDatabase, type TestDatabase } from './database.ts'
import { testLogger } from './logger.ts'

export interface DatabaseWithLog {
  database: TestDatabase
  /** The embedded transport on that database, one partition a topic. */
  transport: Transport
  /** A pool whose search_path is the log's schema (`broker`). */
  brokerPool: pg.Pool
  close(): Promise<void>
}

/**
 * A database of its own with the embedded transport's log in it: creating the transport migrates
 * the log's schema; today's and tomorrow's partitions of the log are created, as a service's boot does.
 */
export async function createDatabaseWithLog(): Promise<DatabaseWithLog> {
  const database = await createTestDatabase()
  const transport = await createEmbeddedTransport({
    connectionString: database.url,
    partitions: 1,
    logger: testLogger,
  })
  const brokerPool = createPool({ connectionString: database.url, schema: 'broker', applicationName: 'test' })
  await new DailyPartitions(testLogger).ensure({ pool: brokerPool, table: LOG_MESSAGES })
  return {
    database,
    transport,
    brokerPool,
    async close() {
      await brokerPool.end()
      await transport.close()
      await database.drop()
    },
  }
}
