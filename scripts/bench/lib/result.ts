/** The shape of a result file (scripts/bench/results/*.json) and the targets it is judged by. */
import type { CeilingResult } from './ceiling.ts'
import type { FloorResult } from './floor.ts'
import type { HopFigures } from './hops.ts'
import type { ActivityReport } from './pg-activity.ts'
import type { UsageReport } from './procstat.ts'
import type { ProfileSummary } from './profile.ts'
import type { Distribution } from './stats.ts'
import type { TransportName } from './system.ts'

export interface PhaseResult {
  name: string
  /** Who was sent `POST /orders`: the gateway, or orders-service directly. */
  target: 'gateway' | 'orders-service'
  /** Requests a second asked of the open loop; null for the closed loop. */
  targetRate: number | null
  seconds: number
  sent: number
  /** Due but not sent because every connection was busy: the client could not keep the rate. */
  shed: number
  accepted: number
  errors: number
  errorSamples: string[]
  acceptedPerSec: number
  /** This phase's orders settled, over the time from the phase's start to the last of them. */
  settled: number
  unsettled: number
  settledPerSec: number
  finished: number
  cancelled: number
  /** The 201 read by the client → the order's `updated_at` (the settling transaction). */
  settleMs: Distribution
  /** The order's `created_at` → `updated_at`, both PostgreSQL's clock. */
  createdToSettledMs: Distribution
  /** `POST /orders` round trip as the client saw it, 201s only. */
  httpMs: Distribution
  usage: UsageReport
  postgres: ActivityReport
  /**
   * Where the unfinished work sat when the load stopped, from each service's /metrics: rows of its
   * outbox not yet published, and messages its consumer has yet to handle (null: not readable).
   */
  backlogAtEnd: Record<string, { outbox: number | null; consumerLag: number | null }>
  /** The phase's window on the monotonic clock (µs), to cut a `.cpuprofile` to it later. */
  windowUs: { fromUs: number; toUs: number }
}

export interface BenchResult {
  format: 1
  date: string
  day: string
  mode: 'full' | 'smoke'
  profiled: boolean
  command: string
  durationSeconds: number
  transport: TransportName
  /** The code measured: HEAD, and how many tracked files differed from it. */
  git: { commit: string; changedFiles: number }
  machine: {
    cpu: string
    cores: number
    memoryGiB: number
    kernel: string
    node: string
    postgres: string
    kafka: string | null
  }
  settings: {
    connections: number
    users: number
    stepSeconds: number
    steps: number[]
    /** Absent in results recorded before the warm-up was configurable (3 s at 50 req/s). */
    warmupSeconds?: number
    /** Absent in results recorded before the floor was measured. */
    floorSeconds?: number
    logLevel: string
    postgres: Record<string, string>
  }
  ceiling: CeilingResult
  /** The minimal accept-only server at its saturation; absent in results recorded before it was measured. */
  floor?: FloorResult
  steps: PhaseResult[]
  peak: {
    step: string
    acceptedPerSec: number
    settledPerSec: number
    /** Settled/s ÷ the ceiling's commits/s. */
    ratio: number
    /** Settled/s ÷ the floor's accepted/s: the headline. */
    floorRatio?: number
  }
  halfPeak: {
    rate: number
    gateway: PhaseResult
    direct: PhaseResult
    /** Gateway minus direct, ms. */
    gatewayOverheadMs: { p50: number | null; p99: number | null }
    /** Where the settlement time of the orders placed through the gateway went (lib/hops.ts). */
    hops?: HopFigures
  } | null
  capacity: {
    concurrency: number
    gateway: PhaseResult
    direct: PhaseResult
    /** 1 − gateway ÷ direct accepted/s, percent. */
    gatewayCostPercent: number
  } | null
  profile?: Record<string, ProfileSummary>
}

export interface TargetCheck {
  name: string
  goal: string
  value: string
  met: boolean | null
}

const fmt = (value: number | null | undefined, unit = '') => (value == null ? 'n/a' : `${value}${unit}`)

/** The issue's targets, judged on one run. */
export function checkTargets(result: BenchResult): TargetCheck[] {
  const half = result.halfPeak
  const capacity = result.capacity
  const le = (value: number | null | undefined, limit: number) => (value == null ? null : value <= limit)
  return [
    {
      name: 'settled/s vs floor',
      goal: '≥ 0.8 × floor',
      value:
        result.floor && result.peak.floorRatio !== undefined
          ? `${result.peak.floorRatio} × (${result.peak.settledPerSec}/s of ${result.floor.acceptedPerSec}/s)`
          : 'not measured',
      met: result.peak.floorRatio === undefined ? null : result.peak.floorRatio >= 0.8,
    },
    {
      name: 'settled/s vs ceiling',
      goal: '≥ 0.8 × ceiling',
      value: `${result.peak.ratio} × (${result.peak.settledPerSec}/s of ${result.ceiling.commitsPerSec}/s)`,
      met: result.peak.ratio >= 0.8,
    },
    {
      name: 'settlement p99 at half the peak rate',
      goal: '≤ 100 ms',
      value: fmt(half?.gateway.settleMs.p99, ' ms'),
      met: le(half?.gateway.settleMs.p99, 100),
    },
    {
      name: 'POST /orders p99 at half the peak rate',
      goal: '≤ 20 ms',
      value: fmt(half?.gateway.httpMs.p99, ' ms'),
      met: le(half?.gateway.httpMs.p99, 20),
    },
    {
      name: 'gateway overhead at p50',
      goal: '≤ 1 ms',
      value: fmt(half?.gatewayOverheadMs.p50, ' ms'),
      met: le(half?.gatewayOverheadMs.p50, 1),
    },
    {
      name: 'gateway throughput cost',
      goal: '≤ 20%',
      value: capacity
        ? `${capacity.gatewayCostPercent}% (${capacity.gateway.acceptedPerSec}/s vs ${capacity.direct.acceptedPerSec}/s direct)`
        : 'n/a',
      met: le(capacity?.gatewayCostPercent, 20),
    },
  ]
}
