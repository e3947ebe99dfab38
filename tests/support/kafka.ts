import { kafkaUnavailable } from '../../scripts/kafka/availability.ts'
import { startKafkaBroker } from '../../scripts/kafka/broker.ts'

export interface TestKafka {
  bootstrap: string
  stop(): Promise<void>
}

/** Why the Kafka suites cannot run here, or undefined when they can. */
export function kafkaUnavailableReason(): string | undefined {
  if (process.env.KAFKA_TESTS === 'off') return 'KAFKA_TESTS=off'
  return kafkaUnavailable()
}

/** A real single-node Kafka broker (KRaft) on free loopback ports, thrown away afterwards. */
export async function startTestKafka(): Promise<TestKafka> {
  const broker = await startKafkaBroker()
  return { bootstrap: broker.bootstrap, stop: () => broker.stop() }
}
