/** The machine a run happened on, for the record next to its figures. */
import { spawnSync } from 'node:child_process'
import { availableParallelism, cpus, totalmem } from 'node:os'

export interface Machine {
  cpus: number
  cpuModel: string
  ramGiB: string
  node: string
  java: string | undefined
}

export function describeMachine(): Machine {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' })
  return {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    ramGiB: (totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    java: java.status === 0 ? /version "([^"]+)"/.exec(java.stderr)?.[1] : undefined,
  }
}

/** Why Kafka cannot run here (no Java 17+, no Maven or cached jars), or undefined when it can. */
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
