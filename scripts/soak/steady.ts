/**
 * The soak proper: a steady load for a bounded time, a sample of every figure each interval, and
 * the figures that kept growing after the warm-up.
 */

import { sleep } from '../bench/lib/stats.ts'
import type { BenchSystem } from '../bench/lib/system.ts'
import { growingFigures } from './growth.ts'
import { type OrderLoad, placeOrders } from './order-load.ts'
import { formatSample, type Sample, type SoakDatabases, takeSample } from './samples.ts'

export interface SteadyPlan {
  minutes: number
  sampleSeconds: number
  /** Samples before this are shown but not judged. */
  warmupSeconds: number
}

/** Runs the load, prints every sample; answers the problems found (figures that kept growing). */
export async function runSteadySoak(
  system: BenchSystem,
  urls: SoakDatabases,
  load: OrderLoad,
  plan: SteadyPlan,
  log: (line: string) => void,
): Promise<string[]> {
  const intervalMs = plan.sampleSeconds * 1000
  const started = performance.now()
  let loading = true
  const orders = placeOrders(
    load,
    plan.minutes * 60_000,
    (elapsedMs) => `interval-${Math.floor(elapsedMs / intervalMs)}`,
  )
  void orders.finally(() => {
    loading = false
  })
  const samples: Sample[] = []
  for (let interval = 1; loading; interval += 1) {
    await Promise.race([sleep(started + interval * intervalMs - performance.now()), orders])
    if (!loading) break
    // The interval before the last: its orders have had a whole interval to settle.
    samples.push(
      await takeSample(
        system.metricsUrls,
        urls,
        load.tracker.phase(`interval-${interval - 2}`).latencies,
        started,
      ),
    )
    log(formatSample(samples.at(-1) as Sample))
  }
  const { failed } = await orders
  return [
    ...growingFigures(samples, plan.warmupSeconds, { young: plan.minutes <= 2 }).map(
      (figure) => `keeps growing: ${figure}`,
    ),
    ...(failed > 0 ? [`${failed} orders were not accepted`] : []),
  ]
}
