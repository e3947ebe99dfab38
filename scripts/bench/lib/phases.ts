/**
 * One phase of load: `POST /orders` at a rate (open loop) or from N clients back to back (closed
 * loop), to the gateway or straight to orders-service, and everything measured while it ran:
 * answers, settlement, CPU of every process, what PostgreSQL waited on, the backlog at its end.
 */
import { backlogOf } from './backlog.ts'
import { closedLoop, type LoopResult, type OrderClient, openLoop } from './load.ts'
import type { PgActivity } from './pg-activity.ts'
import { UsageWindow } from './procstat.ts'
import { monotonicUs } from './profile.ts'
import type { PhaseResult } from './result.ts'
import type { SettlementTracker } from './settlement.ts'
import { distribution, round, wallNow } from './stats.ts'
import type { BenchSystem } from './system.ts'

export type PhaseLoad = { rate: number; seconds: number } | { concurrency: number; seconds: number }

export type Target = 'gateway' | 'orders-service'

export class PhaseRunner {
  /** Each phase's window on the monotonic clock, to cut the CPU profiles to. */
  readonly windows = new Map<string, { fromUs: number; toUs: number }>()
  readonly #system: BenchSystem
  readonly #clients: Record<Target, OrderClient>
  readonly #tracker: SettlementTracker
  readonly #activity: PgActivity
  readonly #users: string[]
  readonly #maxInFlight: number
  #nextUser = 0

  constructor(options: {
    system: BenchSystem
    clients: Record<Target, OrderClient>
    tracker: SettlementTracker
    activity: PgActivity
    users: string[]
    maxInFlight: number
  }) {
    this.#system = options.system
    this.#clients = options.clients
    this.#tracker = options.tracker
    this.#activity = options.activity
    this.#users = options.users
    this.#maxInFlight = options.maxInFlight
  }

  /** Runs the load, then waits up to `waitMs` for its orders to settle. */
  async run(name: string, target: Target, load: PhaseLoad, waitMs: number): Promise<PhaseResult> {
    const client = this.#clients[target]
    const tracker = this.#tracker
    const latencies: number[] = []
    const errorSamples = new Set<string>()
    let errors = 0
    const send = async () => {
      const user = this.#users[this.#nextUser++ % this.#users.length] as string
      const placed = await client.placeOrder(user)
      if (placed.status === 201 && placed.id) {
        latencies.push(placed.ms)
        tracker.track(placed.id, placed.answeredAt, name)
      } else {
        errors += 1
        if (errorSamples.size < 3) errorSamples.add(`${placed.status} ${placed.error ?? ''}`.trim())
      }
    }
    const usage = new UsageWindow(this.#system.watched)
    const endActivity = await this.#activity.begin()
    const startedAt = wallNow()
    const fromUs = monotonicUs()
    const loop: LoopResult =
      'rate' in load
        ? await openLoop({
            rate: load.rate,
            durationMs: load.seconds * 1000,
            maxInFlight: this.#maxInFlight,
            send,
          })
        : await closedLoop({ concurrency: load.concurrency, durationMs: load.seconds * 1000, send })
    const endedAt = wallNow()
    const windowUs = { fromUs, toUs: monotonicUs() }
    this.windows.set(name, windowUs)
    const usageReport = usage.finish()
    const backlogAtEnd = {
      'orders-service': await backlogOf(this.#system.metricsUrls['orders-service']),
      'payments-service': await backlogOf(this.#system.metricsUrls['payments-service']),
    }
    const postgres = await endActivity()
    await tracker.waitFor(name, waitMs)
    const settlement = tracker.summary(name)
    const lastSettledAt = tracker.phase(name).lastSettledAt
    const settleWindowSec = (Math.max(endedAt, lastSettledAt) - startedAt) / 1000
    return {
      name,
      target,
      targetRate: 'rate' in load ? load.rate : null,
      seconds: round(loop.seconds, 2),
      sent: loop.sent,
      shed: loop.shed,
      accepted: settlement.accepted,
      errors,
      errorSamples: [...errorSamples],
      acceptedPerSec: round(settlement.accepted / loop.seconds),
      settled: settlement.settled,
      unsettled: settlement.unsettled,
      settledPerSec: round(settlement.settled / settleWindowSec),
      finished: settlement.finished,
      cancelled: settlement.cancelled,
      settleMs: settlement.settleMs,
      createdToSettledMs: settlement.createdToSettledMs,
      httpMs: distribution(latencies),
      usage: usageReport,
      postgres,
      backlogAtEnd,
      windowUs,
    }
  }
}
