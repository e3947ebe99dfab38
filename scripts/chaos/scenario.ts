/**
 * One chaos run on one transport, start to finish: PostgreSQL (and Kafka), the three services as
 * supervised processes, the load and the faults at once, then the wait for the system to settle,
 * the reading of the data, and the checks. Everything it started is stopped, also on failure.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '../lib/launcher/service-process.ts'
import {
  type BackendName,
  backendWiring,
  gatewayWiring,
  SHOP_DATABASES,
} from '../lib/launcher/shop-wiring.ts'
import { auditTransportLog, type TopicAudit } from './audit.ts'
import type { Check } from './check.ts'
import { checkConduct } from './conduct.ts'
import { type FaultEvent, injectFaults } from './faults.ts'
import { ChaosKafka, ChaosPostgres } from './infra.ts'
import { checkInvariants } from './invariants.ts'
import { LoadDriver, type LoadResult } from './load-driver.ts'
import { type LoggedConsumption, readConsumptionLogs, scrapedDuplicates } from './logs.ts'
import { AGGRESSIVE_RETENTION, type ChaosOptions } from './options.ts'
import { type Reconciliation, reconcile } from './reconcile.ts'
import { awaitSettlement, type Settlement } from './settle.ts'
import { readApiView, readSnapshot, type Snapshot } from './snapshot.ts'
import { type Incarnation, ServiceSupervisor } from './supervisor.ts'
import { countTrimmed, installTrimArchive, type TrimmedCounts, trimmedLogValues } from './trim-archive.ts'

export interface ChaosResult {
  options: Omit<ChaosOptions, 'log'>
  startedAt: number
  durationMs: number
  runDir: string
  load: LoadResult
  faults: FaultEvent[]
  incarnations: Record<'orders-service' | 'payments-service', Incarnation[]>
  settlement: Settlement
  audit: TopicAudit[]
  logged: Record<'orders-service' | 'payments-service', LoggedConsumption>
  /** Skipped duplicates as /metrics reported them before each death: a lower bound. */
  scrapedDuplicates: number
  snapshot: Snapshot
  /** Rows retention deleted during the run, per table. */
  trimmed: TrimmedCounts
  reconciliation: Reconciliation
  checks: Check[]
  ok: boolean
}

const TOPICS = { orders: 'order_created', payments: 'payment_finished' }
/** Everything still running when the runner exits is killed (setpriv covers a SIGKILL of it). */
const live = new Set<ServiceSupervisor>()
process.on('exit', () => {
  for (const supervisor of live) supervisor.killNow()
})

/** Kills every service process at once; for a runner that was interrupted. */
export function killAllServices(): void {
  for (const supervisor of live) supervisor.killNow()
}

export async function runChaosScenario(options: ChaosOptions): Promise<ChaosResult> {
  const { log, transport } = options
  const startedAt = Date.now()
  const runDir = await mkdtemp(join(tmpdir(), `shop-chaos-${transport}-`))
  const cleanups: (() => Promise<unknown>)[] = []
  let driver: LoadDriver | undefined
  try {
    log(`[${transport}] starting PostgreSQL${transport === 'kafka' ? ' and Kafka' : ''} (run dir ${runDir})`)
    const postgres = await ChaosPostgres.start()
    cleanups.push(() => postgres.stop(options.keepRunDir))
    if (options.keepRunDir)
      log(`[${transport}] PostgreSQL data kept in ${postgres.dataDir} (port ${postgres.port})`)
    await postgres.createDatabases(Object.values(SHOP_DATABASES))
    const kafka = transport === 'kafka' ? await ChaosKafka.start(runDir) : undefined
    if (kafka) cleanups.push(() => kafka.stop())
    const urls = {
      orders: postgres.urlFor(SHOP_DATABASES.orders),
      payments: postgres.urlFor(SHOP_DATABASES.payments),
      broker: postgres.urlFor(SHOP_DATABASES.broker),
    }
    const access: Record<string, string> = kafka
      ? { KAFKA_BOOTSTRAP_SERVERS: kafka.bootstrap }
      : { BROKER_DATABASE_URL: urls.broker }
    const transportEnv = { KAFKA_BOOTSTRAP_SERVERS: kafka?.bootstrap ?? '' }
    const backendEnv = (name: BackendName) => ({
      ...backendWiring(name, { databaseUrls: urls, transportEnv }),
      ...(options.retention === 'aggressive' ? AGGRESSIVE_RETENTION : {}),
      LOG_LEVEL: options.logLevel,
    })

    const supervise = async (name: ServiceSupervisor['name'], env: Record<string, string>) => {
      const supervisor = new ServiceSupervisor({
        name,
        port: await freePort(),
        metricsPort: await freePort(),
        env,
        runDir,
        crashPoints: name === 'api-gateway' ? '' : options.faults.crashPoints,
        log,
      })
      live.add(supervisor)
      cleanups.push(async () => {
        await supervisor.stop()
        live.delete(supervisor)
      })
      return supervisor
    }
    const orders = await supervise('orders-service', backendEnv('orders-service'))
    const payments = await supervise('payments-service', backendEnv('payments-service'))
    const armed = options.faults.armAtStart
    await Promise.all([orders.start(armed), payments.start(armed)])
    // The services have migrated their tables, which are empty: nothing can have been trimmed yet.
    await installTrimArchive(urls)
    const gateway = await supervise('api-gateway', {
      ...gatewayWiring({ 'orders-service': orders.url, 'payments-service': payments.url }),
      LOG_LEVEL: 'warn',
      UPSTREAM_TIMEOUT_MS: '5000',
      // The load is many requests from few users; the gateway's per-user limit must not shape it.
      RATE_LIMIT_PER_MINUTE: '0',
    })
    await gateway.start(false)

    const load = new LoadDriver(gateway.url, options.load)
    driver = load
    await load.openAccounts()
    log(`[${transport}] ${options.load.users} accounts open; load and faults start`)
    const [loadResult, faults] = await Promise.all([
      load.run(),
      injectFaults({
        plan: options.faults,
        services: [orders, payments],
        postgres,
        kafka,
        load,
        deadline: Date.now() + options.load.maxMs,
        log: (line) => log(`[${transport}] ${line}`),
      }),
    ])
    const accepted = loadResult.attempts.filter(
      (attempt) => attempt.kind === 'order' && attempt.outcome === 'ok',
    )
    log(`[${transport}] load done: ${accepted.length} orders accepted; waiting for the system to settle`)

    const services = [orders, payments]
    const incarnations = services.flatMap((service) => service.incarnations)
    const lastFaultAt = Math.max(
      ...faults.map((fault) => fault.at),
      ...incarnations.filter((each) => each.cause === 'crash-point').map((each) => each.exitedAt ?? 0),
    )
    const lastRecoveryAt = Math.max(
      ...faults.map((fault) => fault.recoveredAt),
      ...incarnations.map((each) => each.healthyAt ?? 0),
    )
    const settlement = await awaitSettlement(urls, lastFaultAt, lastRecoveryAt, options.settleLimitMs)
    log(`[${transport}] settled; reading the transport log and the databases`)

    const snapshot = await readSnapshot(urls)
    const api = await readApiView(
      gateway.url,
      load.users.map((user) => user.id),
    )
    // Stopped before their logs are read, so every line is on disk, and before the transport's
    // log is audited, so that retention deletes nothing while the audit reads it.
    await Promise.all([gateway.stop(), orders.stop(), payments.stop()])
    const trimmed = await countTrimmed(urls)
    const trimmedFrom = async (topic: string) => (kafka ? [] : await trimmedLogValues(urls.broker, topic))
    const audit = await auditTransportLog(
      access,
      [
        {
          topic: TOPICS.orders,
          expected: new Set(snapshot.outbox.orders.map((row) => row.eventId)),
          trimmed: await trimmedFrom(TOPICS.orders),
        },
        {
          topic: TOPICS.payments,
          expected: new Set(snapshot.outbox.payments.map((row) => row.eventId)),
          trimmed: await trimmedFrom(TOPICS.payments),
        },
      ],
      60_000,
    )

    const { checks: reconciled, figures: reconciliation } = reconcile(snapshot, loadResult, api)
    const checks = [
      ...checkInvariants({
        snapshot,
        load: loadResult,
        settlement,
        settleLimitMs: options.settleLimitMs,
        audit,
        topics: TOPICS,
        retention: { name: options.retention, transport, trimmed },
      }),
      ...reconciled,
      ...checkConduct({
        options,
        load: loadResult,
        snapshot,
        faults,
        incarnations: [...incarnations, ...gateway.incarnations],
        supervisorFailures: [orders, payments, gateway].flatMap((each) =>
          each.failures.map((f) => `${each.name}: ${f}`),
        ),
      }),
    ]
    const { log: _log, ...kept } = options
    return {
      options: kept,
      startedAt,
      durationMs: Date.now() - startedAt,
      runDir,
      load: loadResult,
      faults,
      incarnations: { 'orders-service': orders.incarnations, 'payments-service': payments.incarnations },
      settlement,
      audit,
      logged: {
        'orders-service': readConsumptionLogs(orders.incarnations),
        'payments-service': readConsumptionLogs(payments.incarnations),
      },
      scrapedDuplicates: scrapedDuplicates(incarnations),
      snapshot,
      trimmed,
      reconciliation,
      checks,
      ok: checks.every((each) => each.ok),
    }
  } finally {
    driver?.stop()
    for (const cleanup of cleanups.reverse())
      await cleanup().catch((error) => log(`cleanup failed: ${error}`))
    if (!options.keepRunDir) await rm(runDir, { recursive: true, force: true })
  }
}
