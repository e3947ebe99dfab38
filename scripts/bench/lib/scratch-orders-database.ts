import { fileURLToPath } from 'node:url'
import { createPool, messagingMigrations, migrate } from '@shop/platform'
import { ensureDatabase, withDatabase } from '../../lib/embedded-postgres.ts'

const ORDERS_MIGRATIONS = fileURLToPath(
  new URL('../../../services/orders-service/migrations', import.meta.url),
)
/** The database the benchmark's ceiling and floor share. */
export const SCRATCH_DATABASE = 'shop_ceiling'

/**
 * A database beside the shop's with orders-service's tables (schema `orders`), migrated as the
 * service migrates its own, where the ceiling and the floor write their rows so that the shop's
 * tables stay untouched. Returns its URL.
 */
export async function scratchOrdersDatabase(adminUrl: string, database = SCRATCH_DATABASE): Promise<string> {
  await ensureDatabase(adminUrl, database)
  const url = withDatabase(adminUrl, database)
  const pool = createPool({
    connectionString: url,
    schema: 'orders',
    applicationName: 'bench-migrate',
    max: 1,
  })
  try {
    await migrate(pool, 'orders', [messagingMigrations, { name: 'orders', directory: ORDERS_MIGRATIONS }])
  } finally {
    await pool.end()
  }
  return url
}
