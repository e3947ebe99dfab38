/**
 * The machine's ceiling, measured on the running system: orders-service's order + outbox statement
 * straight to PostgreSQL from many connections, with the CPU and PostgreSQL's activity meanwhile;
 * in a full run also as the classic four-round-trip transaction.
 */
import { type CeilingResult, measureCeiling } from './ceiling.ts'
import type { BenchSettings } from './options.ts'
import type { PgActivity } from './pg-activity.ts'
import { UsageWindow } from './procstat.ts'
import type { BenchSystem } from './system.ts'

export async function measureCeilingPhase(options: {
  system: BenchSystem
  activity: PgActivity
  settings: BenchSettings
  classicToo: boolean
  log: (line: string) => void
}): Promise<CeilingResult> {
  const { system, activity, settings, log } = options
  log(
    `ceiling: orders-service's order + outbox statement from ${settings.ceilingConnections} connections for ${settings.ceilingSeconds} s…`,
  )
  const ceilingUsage = new UsageWindow(system.watched)
  const endCeilingActivity = await activity.begin()
  const ceiling = await measureCeiling({
    adminUrl: system.adminUrl,
    connections: settings.ceilingConnections,
    durationMs: settings.ceilingSeconds * 1000,
    warmupMs: 1000,
  })
  ceiling.usage = ceilingUsage.finish()
  ceiling.postgres = await endCeilingActivity()
  if (options.classicToo) {
    const endClassicActivity = await activity.begin()
    const classic = await measureCeiling({
      adminUrl: system.adminUrl,
      connections: settings.ceilingConnections,
      durationMs: Math.max(3, settings.ceilingSeconds / 2) * 1000,
      warmupMs: 500,
      classic: true,
    })
    ceiling.classicTransaction = {
      commitsPerSec: classic.commitsPerSec,
      transactionMs: classic.transactionMs,
      postgres: await endClassicActivity(),
    }
  }
  log(
    `ceiling: ${ceiling.commitsPerSec} commits/s (${ceiling.classicTransaction ? `as the classic four-round-trip transaction: ${ceiling.classicTransaction.commitsPerSec}/s; ` : ''}transaction p50 ${ceiling.transactionMs.p50} ms; WAL fsyncs ${ceiling.postgres.walFsyncsPerSec}/s; CPU: postgres ${ceiling.usage.processes.postgres?.cpuPercent}%, bench ${ceiling.usage.processes.bench?.cpuPercent}%, other processes ${ceiling.usage.machine.othersPercent}%)`,
  )
  return ceiling
}
