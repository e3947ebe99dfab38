/** A run's result file, from what it measured and what it ran on. */
import { cpus, release, totalmem } from 'node:os'
import type { CeilingResult } from './ceiling.ts'
import { gitState } from './git-state.ts'
import type { BenchOptions } from './options.ts'
import type { ProfileSummary } from './profile.ts'
import type { BenchResult, PhaseResult } from './result.ts'
import { round } from './stats.ts'
import type { BenchSystem } from './system.ts'

export function assembleResult(run: {
  options: BenchOptions
  system: BenchSystem
  durationSeconds: number
  profiled: boolean
  ceiling: CeilingResult
  steps: PhaseResult[]
  peak: BenchResult['peak']
  halfPeak: BenchResult['halfPeak']
  capacity: BenchResult['capacity']
  profile: Record<string, ProfileSummary> | undefined
}): BenchResult {
  const { options, system } = run
  const { settings } = options
  const now = new Date()
  return {
    format: 1,
    date: now.toISOString(),
    day: now.toISOString().slice(0, 10),
    mode: options.smoke ? 'smoke' : 'full',
    profiled: run.profiled,
    command: options.command,
    durationSeconds: run.durationSeconds,
    transport: options.transport,
    git: gitState(),
    machine: {
      cpu: cpus()[0]?.model.trim() ?? 'unknown',
      cores: cpus().length,
      memoryGiB: round(totalmem() / 1024 ** 3),
      kernel: release(),
      node: process.version,
      postgres: system.versions.postgres,
      kafka: system.versions.kafka,
    },
    settings: {
      connections: settings.connections,
      users: settings.users,
      stepSeconds: settings.stepSeconds,
      steps: settings.steps,
      warmupSeconds: settings.warmupSeconds,
      logLevel: settings.logLevel,
      postgres: system.postgresSettings,
    },
    ceiling: run.ceiling,
    steps: run.steps,
    peak: run.peak,
    halfPeak: run.halfPeak,
    capacity: run.capacity,
    ...(run.profile ? { profile: run.profile } : {}),
  }
}
