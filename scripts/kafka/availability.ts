import { spawnSync } from 'node:child_process'

/** Why a Kafka broker cannot run on this machine (no Java 17+, no Maven or cached jars), or undefined. */
export function kafkaUnavailable(): string | undefined {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' })
  if (java.error || java.status !== 0) return 'no Java runtime on the PATH (Kafka 4 needs Java 17 or newer)'
  const major = Number(/version "(\d+)/.exec(java.stderr)?.[1] ?? 0)
  if (major < 17) return `Java ${major} is too old (Kafka 4 needs Java 17 or newer)`
  if (!process.env.KAFKA_JARS_DIR && spawnSync('mvn', ['-v']).status !== 0) {
    return 'no Maven on the PATH to fetch the Kafka jars (or set KAFKA_JARS_DIR)'
  }
  return undefined
}
