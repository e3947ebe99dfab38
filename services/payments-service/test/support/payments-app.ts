import { afterAll, beforeAll } from 'vitest'
import { testLogger } from '../../../../tests/support/logger.ts'
import { buildApp } from '../../src/app.ts'
import type { PaymentsApp } from './http.ts'
import { createPaymentsDatabase, type PaymentsDatabase } from './payments-database.ts'

export interface PaymentsFixture {
  db: PaymentsDatabase
  app: PaymentsApp
}

/**
 * The real payments app on this test file's own migrated database: built before the file's
 * tests, closed after them. Read `db` and `app` inside tests, once the hooks have run.
 */
export function usePaymentsApp(options: { max?: number } = {}): PaymentsFixture {
  const fixture = {} as PaymentsFixture
  beforeAll(async () => {
    fixture.db = await createPaymentsDatabase(options)
    fixture.app = await buildApp({ pool: fixture.db.pool, logger: testLogger })
  })
  afterAll(async () => {
    await fixture.app?.close()
    await fixture.db?.close()
  })
  return fixture
}
