import { fileURLToPath } from 'node:url'
import { createPool, type MigrationSource, messagingMigrations, migrate } from '@shop/platform'
import type pg from 'pg'
import { createTestDatabase } from '../../../../tests/support/database.ts'

export const PAYMENTS_SCHEMA = 'payments'

export const paymentsMigrations: MigrationSource = {
  name: 'payments',
  directory: fileURLToPath(new URL('../../migrations', import.meta.url)),
}

export interface PaymentsDatabase {
  /** URL of this file's own database; the embedded transport keeps its log there too. */
  url: string
  pool: pg.Pool
  close(): Promise<void>
}

/**
 * A fresh database migrated exactly as server.ts migrates it (platform tables, then the service's),
 * so the tests exercise the real schema, constraints included.
 */
export async function createPaymentsDatabase({ max = 10 }: { max?: number } = {}): Promise<PaymentsDatabase> {
  const database = await createTestDatabase()
  const pool = createPool({
    connectionString: database.url,
    schema: PAYMENTS_SCHEMA,
    applicationName: 'payments-service-test',
    max,
  })
  await migrate(pool, PAYMENTS_SCHEMA, [messagingMigrations, paymentsMigrations])
  return {
    url: database.url,
    pool,
    async close() {
      await pool.end()
      await database.drop()
    },
  }
}
