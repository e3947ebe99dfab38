import { afterAll, beforeAll } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/database.ts'
import { testLogger } from '../../../../tests/support/logger.ts'
import { createEmbeddedTransport } from '../../src/transport/embedded/embedded-transport.ts'
import { describeTransportContract } from './transport-contract.ts'

let database: TestDatabase

beforeAll(async () => {
  database = await createTestDatabase()
})
afterAll(async () => {
  await database.drop()
})

describeTransportContract('embedded', () =>
  createEmbeddedTransport({
    connectionString: database.url,
    partitions: 3,
    logger: testLogger,
    // A short idle poll keeps the suite quick where a test relies on the poll rather than a notification.
    idlePollMs: 200,
  }),
)
