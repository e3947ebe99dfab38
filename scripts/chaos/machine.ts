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

export { kafkaUnavailable } from '../kafka/availability.ts'
