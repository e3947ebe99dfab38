import { spawnSync } from 'node:child_process'
import { startKafkaBroker } from '../../scripts/kafka/broker.ts'

export interface TestKafka {
  bootstrap: string
  stop(): Promise<void>
}

/** Why the Kafka suites cannot run here, or undefined when they can. */
export function kafkaUnavailableReason(): string | undefined {
  if (process.env.KAFKA_TESTS === 'off') return 'KAFKA_TESTS=off'
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' })
  if (java.error || java.status !== 0) return 'no Java runtime on the PATH (Kafka 4 needs Java 17 or newer)'
  const major = Number(/version "(\d+)/.exec(java.stderr)?.[1] ?? 0)
  if (major < 17) return `Java ${major} is too old (Kafka 4 needs Java 17 or newer)`
  if (!process.env.KAFKA_JARS_DIR && spawnSync('mvn', ['-v']).status !== 0) {
    return 'no Maven on the PATH to fetch the Kafka jars (or set KAFKA_JARS_DIR)'
  }
  return undefined
}

/** A real single-node Kafka broker (KRaft) on free loopback ports, thrown away afterwards. */
export async function startTestKafka(): Promise<TestKafka> {
  const broker = await startKafkaBroker()
  return { bootstrap: broker.bootstrap, stop: () => broker.stop() }
}
