/**
 * The search for the peak: a warm-up, then `POST /orders` through the gateway at stepped rates
 * until settled orders/s stops rising or the orders stop settling.
 */
import type { BenchSettings } from './options.ts'
import type { PhaseRunner } from './phases.ts'
import { formatPhaseTable } from './report.ts'
import type { BenchResult, PhaseResult } from './result.ts'
import { round } from './stats.ts'

/** Orders per second during the warm-up: enough to exercise every path, far from any limit. */
const WARMUP_RATE = 100
/** How long a step's last orders may take to settle before the step is closed without them. */
export const STRAGGLER_TIMEOUT_MS = 10_000
/** Throughput "still rises" when a step beats the best before it by more than this. */
const RISE = 1.05

export interface StepSearch {
  steps: PhaseResult[]
  peakStep: PhaseResult
  peak: BenchResult['peak']
}

export async function searchPeak(options: {
  phases: PhaseRunner
  settings: BenchSettings
  ceilingCommitsPerSec: number
  log: (line: string) => void
}): Promise<StepSearch> {
  const { phases, settings, log } = options
  // Until the JIT compilers of V8 and of the broker's JVM have compiled the hot paths, every
  // process costs several times its steady CPU: the first steps would measure the warm-up.
  log(`warm-up: ${settings.warmupSeconds} s at ${WARMUP_RATE} req/s…`)
  await phases.run(
    'warm-up',
    'gateway',
    { rate: WARMUP_RATE, seconds: settings.warmupSeconds },
    STRAGGLER_TIMEOUT_MS,
  )

  const steps: PhaseResult[] = []
  let best: PhaseResult | undefined
  for (const [index, rate] of settings.steps.entries()) {
    const step = await phases.run(
      `step ${index + 1}`,
      'gateway',
      { rate, seconds: settings.stepSeconds },
      STRAGGLER_TIMEOUT_MS,
    )
    steps.push(step)
    log(formatPhaseTable([step], { header: index === 0 }))
    const rose =
      !best ||
      (step.settledPerSec > best.settledPerSec * RISE && step.acceptedPerSec > best.acceptedPerSec * RISE)
    if (!best || step.settledPerSec > best.settledPerSec) best = step
    if (!rose) {
      log('throughput stopped rising: last step')
      break
    }
    if (step.unsettled > step.accepted * 0.2) {
      log(
        `${step.unsettled} orders still unsettled ${STRAGGLER_TIMEOUT_MS / 1000} s after the step: saturated`,
      )
      break
    }
  }
  const peakStep = best as PhaseResult
  return {
    steps,
    peakStep,
    peak: {
      step: peakStep.name,
      acceptedPerSec: peakStep.acceptedPerSec,
      settledPerSec: peakStep.settledPerSec,
      ratio: round(peakStep.settledPerSec / options.ceilingCommitsPerSec, 3),
    },
  }
}
