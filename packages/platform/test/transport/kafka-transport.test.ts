import { describe, inject } from 'vitest'
import { testLogger } from '../../../../tests/support/logger.ts'
import { createKafkaTransport } from '../../src/transport/kafka/kafka-transport.ts'
import { describeTransportContract } from './transport-contract.ts'

const bootstrap = inject('kafkaBootstrap')

// Skipped only where Java or Maven is missing, and then said so by the global setup; never in CI.
describe.skipIf(!bootstrap)('on a real Kafka broker', () => {
  let clients = 0
  describeTransportContract('kafka', async () =>
    createKafkaTransport({
      bootstrapServers: [bootstrap],
      clientId: `contract-${++clients}`,
      partitions: 3,
      logger: testLogger,
    }),
  )
})
