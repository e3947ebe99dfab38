import { randomUUID } from 'node:crypto'
import { describe, expect, inject, it } from 'vitest'
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

describe.skipIf(!bootstrap)('retention of a Kafka topic', () => {
  it("when asked, then the transport reads the topic's retention.ms from the broker", async () => {
    const transport = createKafkaTransport({
      bootstrapServers: [bootstrap],
      clientId: 'retention',
      partitions: 1,
      logger: testLogger,
    })
    try {
      const topic = `retention-${randomUUID()}`
      await transport.publish(topic, [{ key: 'k', value: 'v' }])
      // The broker's default, log.retention.hours=168.
      expect(await transport.logRetentionMs?.(topic)).toBe(604_800_000)
    } finally {
      await transport.close()
    }
  })
})
