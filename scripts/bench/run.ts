/**
 * `npm run bench`: the shop's throughput and latency benchmark (not a test: nothing here is
 * asserted on, except the smoke run's gross-regression check).
 *
 * 1. Starts the system: a throwaway PostgreSQL (fsync on), Kafka (`--transport kafka`, the
 *    default) or the embedded transport (`--transport embedded`), the three services.
 * 2. Opens USERS accounts with a large balance through the gateway.
 * 3. Measures the machine's ceiling: orders-service's order + outbox statement straight to
 *    PostgreSQL from 32 connections, commits/s (lib/ceiling-phase.ts); and the floor: a minimal
 *    accept-only server (Fastify and pg, one INSERT per `POST /orders`) under the same load
 *    generator at doubling rates until it stops rising (lib/floor.ts). The headline is the
 *    settled/floor ratio: peak settled orders/s through the gateway ÷ the floor's accepted/s.
 * 4. Drives `POST /orders` through the gateway at doubling rates (open loop, keep-alive) until
 *    throughput stops rising, wherever that is; per step: accepted/s, settled/s, settlement and HTTP latency,
 *    CPU and memory of every process, what PostgreSQL waited on (lib/step-search.ts, lib/phases.ts).
 * 5. At half the peak rate: the gateway, then orders-service directly (the gateway's overhead).
 * 6. Closed loop for a few seconds each: the most `POST /orders` the gateway and orders-service
 *    accept (the gateway's throughput cost) (lib/comparisons.ts).
 * 7. Prints a table, writes scripts/bench/results/<date>T<hhmm>-<transport>.json.gz, regenerates the tables
 *    of BENCHMARKS.md and the reference ratio in scripts/bench/reference.json (lib/keep-result.ts).
 *
 * `--smoke` (`npm run bench:smoke`): one step at 1.25 × the reference peak, a short ceiling, and a
 * non-zero exit only when settled/s ÷ ceiling falls below a quarter of the reference ratio.
 * `--profile`: the services run with --cpu-prof; self time at the peak step is summarised.
 */
import { randomUUID } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { RunnerLifecycle } from '../lib/launcher/runner-lifecycle.ts'
import { REPO_ROOT } from '../lib/launcher/service-process.ts'
import { shopClient } from '../lib/shop-client.ts'
import { assembleResult } from './lib/assemble-result.ts'
import { measureCeilingPhase } from './lib/ceiling-phase.ts'
import { compareWithAndWithoutGateway } from './lib/comparisons.ts'
import { measureFloor } from './lib/floor.ts'
import { keepResult } from './lib/keep-result.ts'
import { OrderClient } from './lib/load.ts'
import { readBenchOptions } from './lib/options.ts'
import { PgActivity } from './lib/pg-activity.ts'
import { PhaseRunner } from './lib/phases.ts'
import { summarizePeakProfiles } from './lib/profile-report.ts'
import { SettlementTracker } from './lib/settlement.ts'
import { round } from './lib/stats.ts'
import { searchPeak } from './lib/step-search.ts'
import { printSummary } from './lib/summary.ts'
import { SystemLauncher } from './lib/system.ts'

const options = readBenchOptions()
const { smoke, transport, settings } = options
/** The floor's ramp starts here: below what any machine that runs the shop accepts. */
const FLOOR_FIRST_RATE = 200
/** A run that takes longer than this is stopped: the benchmark must end by itself. */
const RUN_DEADLINE_MS = 15 * 60_000

const runStarted = performance.now()
const log = (line: string) =>
  console.log(`[${((performance.now() - runStarted) / 1000).toFixed(1).padStart(6)} s] ${line}`)

const profileDir = options.profile
  ? join(
      REPO_ROOT,
      '.data',
      'bench-profiles',
      `${new Date().toISOString().replace(/[:.]/g, '-')}-${transport}`,
    )
  : undefined
const system = new SystemLauncher({ transport, logLevel: settings.logLevel, profileDir, log })
const lifecycle = new RunnerLifecycle(system, log)
await lifecycle.run(main, { deadlineMs: RUN_DEADLINE_MS })

async function main(): Promise<number> {
  log(
    `${smoke ? 'smoke benchmark' : 'benchmark'}: ${transport} transport, steps ${settings.steps.join(', ')} req/s × ${settings.stepSeconds} s`,
  )
  if (profileDir) await mkdir(profileDir, { recursive: true })
  const running = await system.start()
  const gateway = new OrderClient(running.urls['api-gateway'], settings.connections)
  const direct = new OrderClient(running.urls['orders-service'], settings.connections)
  lifecycle.closers.push(
    () => gateway.close(),
    () => direct.close(),
  )
  const tracker = new SettlementTracker(running.ordersDatabaseUrl)
  await tracker.start()
  lifecycle.closers.push(() => tracker.stop())
  const activity = new PgActivity(running.adminUrl)
  await activity.connect()
  lifecycle.closers.push(() => activity.close())

  log(`opening ${settings.users} accounts with 1,000,000,000.00 each…`)
  const users = await openAccounts(running.urls['api-gateway'], settings.users)

  const ceiling = await measureCeilingPhase({ system: running, activity, settings, classicToo: !smoke, log })
  log(`floor: the accept-only server (one INSERT per POST /orders) at doubling rates until it stops rising…`)
  const floor = await measureFloor({
    adminUrl: running.adminUrl,
    connections: settings.connections,
    users,
    firstRate: FLOOR_FIRST_RATE,
    stepSeconds: settings.floorSeconds,
    log,
  })
  log(`floor: ${floor.acceptedPerSec} accepted/s at ${floor.rate} req/s`)
  const phases = new PhaseRunner({
    system: running,
    clients: { gateway, 'orders-service': direct },
    tracker,
    activity,
    users,
    maxInFlight: settings.connections,
  })
  const { steps, peakStep, peak } = await searchPeak({
    phases,
    settings,
    ceilingCommitsPerSec: ceiling.commitsPerSec,
    log,
  })
  const { halfPeak, capacity } = smoke
    ? { halfPeak: null, capacity: null }
    : await compareWithAndWithoutGateway({
        phases,
        tracker,
        settings,
        peakSettledPerSec: peak.settledPerSec,
        databaseUrls: running.databaseUrls,
        log,
      })

  if (tracker.pollErrors > 0) log(`warning: ${tracker.pollErrors} settlement polls failed`)
  log('stopping the system…')
  await lifecycle.shutdown()

  const profile = profileDir
    ? await summarizePeakProfiles({
        profileDir,
        watched: running.watched,
        peakStep,
        window: phases.windows.get(peakStep.name),
      })
    : undefined

  const result = assembleResult({
    options,
    system: running,
    durationSeconds: round((performance.now() - runStarted) / 1000),
    profiled: Boolean(profileDir),
    ceiling,
    floor,
    steps,
    peak,
    halfPeak,
    capacity,
    profile,
  })
  printSummary(result)
  return keepResult(result, { record: options.record, log })
}

/** Opens the accounts the load orders from, twenty at a time, each with a balance that lasts the run. */
async function openAccounts(gatewayUrl: string, count: number): Promise<string[]> {
  const client = shopClient(gatewayUrl)
  const users = Array.from({ length: count }, () => randomUUID())
  for (let index = 0; index < users.length; index += 20) {
    await Promise.all(
      users.slice(index, index + 20).map(async (user) => {
        const response = await client.openAccount(user, 1_000_000_000)
        if (response.status !== 201)
          throw new Error(`POST /accounts: ${response.status} ${JSON.stringify(response.body)}`)
      }),
    )
  }
  return users
}
