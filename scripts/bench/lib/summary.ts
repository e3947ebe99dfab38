/** The end of a run on the console: every phase's table, the peak against the ceiling, the gateway's cost. */
import { formatHops } from './hops.ts'
import { formatPhaseTable, noiseOf } from './report.ts'
import type { BenchResult } from './result.ts'

export function printSummary(result: BenchResult): void {
  const { steps, halfPeak, capacity, ceiling, peak } = result
  console.log(
    `\n${result.transport} transport · ${result.machine.cores} × ${result.machine.cpu} · ${result.command}`,
  )
  console.log(
    formatPhaseTable([...steps, ...(halfPeak ? [halfPeak.gateway, halfPeak.direct] : [])], { header: true }),
  )
  if (result.floor && peak.floorRatio !== undefined) {
    console.log(
      `\nsettled/floor ratio ${peak.floorRatio} · peak ${peak.settledPerSec} settled/s (${peak.step}) · floor ${result.floor.acceptedPerSec} accepted/s (accept-only server at ${result.floor.rate} req/s)`,
    )
  }
  console.log(`ceiling ${ceiling.commitsPerSec} commits/s · settled/ceiling ratio ${peak.ratio}`)
  if (halfPeak) {
    console.log(
      `gateway overhead at ${halfPeak.rate} req/s: p50 ${halfPeak.gatewayOverheadMs.p50} ms, p99 ${halfPeak.gatewayOverheadMs.p99} ms`,
    )
    if (halfPeak.hops) for (const line of formatHops(halfPeak.hops)) console.log(line)
  }
  if (capacity) {
    console.log(
      `capacity (closed loop, ${capacity.concurrency} clients): gateway ${capacity.gateway.acceptedPerSec}/s, direct ${capacity.direct.acceptedPerSec}/s → gateway cost ${capacity.gatewayCostPercent}%`,
    )
  }
  console.log(`took ${result.durationSeconds} s`)
  const noise = noiseOf(result)
  if (noise > 25) {
    console.log(
      `warning: other processes on this machine used ${noise}% of a core on average during the steps; the figures are depressed by it (the ratio to the ceiling less so)`,
    )
  }
}
