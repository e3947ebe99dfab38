/**
 * What the gateway costs, in a full run: latency at half the peak rate through it and straight to
 * orders-service, and the most orders a closed loop gets accepted through each.
 */
import { settlementHops } from './hops.ts'
import type { BenchSettings } from './options.ts'
import type { PhaseRunner } from './phases.ts'
import { formatPhaseTable } from './report.ts'
import type { BenchResult } from './result.ts'
import type { SettlementTracker } from './settlement.ts'
import { round, wallNow } from './stats.ts'
import { STRAGGLER_TIMEOUT_MS } from './step-search.ts'

export async function compareWithAndWithoutGateway(options: {
  phases: PhaseRunner
  tracker: SettlementTracker
  settings: BenchSettings
  peakSettledPerSec: number
  databaseUrls: Record<'orders' | 'payments', string>
  log: (line: string) => void
}): Promise<{ halfPeak: BenchResult['halfPeak']; capacity: BenchResult['capacity'] }> {
  const { phases, tracker, settings, log } = options
  const left = await tracker.waitFor(undefined, 60_000)
  if (left > 0) log(`${left} orders still unsettled after 60 s; going on`)
  const rate = Math.max(10, Math.round(options.peakSettledPerSec / 2))
  log(`half the peak (${rate} req/s): ${settings.latencySeconds} s via the gateway, then directly…`)
  const gatewayWindow = { fromMs: wallNow(), toMs: 0 }
  const viaGateway = await phases.run(
    'half-peak gateway',
    'gateway',
    { rate, seconds: settings.latencySeconds },
    STRAGGLER_TIMEOUT_MS,
  )
  gatewayWindow.toMs = wallNow()
  const hops = await settlementHops(options.databaseUrls, gatewayWindow)
  const viaDirect = await phases.run(
    'half-peak direct',
    'orders-service',
    { rate, seconds: settings.latencySeconds },
    STRAGGLER_TIMEOUT_MS,
  )
  log(formatPhaseTable([viaGateway, viaDirect], { header: true }))
  const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : round(a - b, 2))
  const halfPeak = {
    rate,
    gateway: viaGateway,
    direct: viaDirect,
    gatewayOverheadMs: {
      p50: diff(viaGateway.httpMs.p50, viaDirect.httpMs.p50),
      p99: diff(viaGateway.httpMs.p99, viaDirect.httpMs.p99),
    },
    hops,
  }

  const concurrency = settings.connections
  log(`capacity: ${concurrency} clients back to back for ${settings.capacitySeconds} s, gateway then direct…`)
  const capacityGateway = await phases.run(
    'capacity gateway',
    'gateway',
    { concurrency, seconds: settings.capacitySeconds },
    0,
  )
  // Let the backlog it left settle, so the direct run does not share the CPU with it.
  await tracker.waitFor(undefined, 30_000)
  const capacityDirect = await phases.run(
    'capacity direct',
    'orders-service',
    { concurrency, seconds: settings.capacitySeconds },
    0,
  )
  log(formatPhaseTable([capacityGateway, capacityDirect], { header: true }))
  const capacity = {
    concurrency,
    gateway: capacityGateway,
    direct: capacityDirect,
    gatewayCostPercent: round((1 - capacityGateway.acceptedPerSec / capacityDirect.acceptedPerSec) * 100),
  }
  return { halfPeak, capacity }
}
