/**
 * The shop as the benchmark runs it: a throwaway PostgreSQL in a temporary directory (fsync on, as
 * in production), a Kafka broker for the Kafka transport, and the three services as OS processes,
 * each on a free port, exactly as `npm start` runs them.
 */
import { readdirSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { ensureKafkaJars, type KafkaBroker, startKafkaBroker } from '../../kafka/broker.ts'
import { ensureDatabase, startEmbeddedPostgres, withDatabase } from '../../lib/embedded-postgres.ts'
import {
  freePort,
  type ServiceName,
  type ServiceProcess,
  startServiceProcess,
} from '../../lib/service-process.ts'
import { findProcess, type WatchedProcess } from './procstat.ts'

export type TransportName = 'kafka' | 'embedded'

export interface SystemOptions {
  transport: TransportName
  logLevel: string
  /** Settings given to orders-service and payments-service besides those the launcher sets. */
  serviceEnv?: Record<string, string>
  /** When set, every service runs with `--cpu-prof` and writes its profile here on exit. */
  profileDir?: string | undefined
  log: (line: string) => void
}

export interface BenchSystem {
  transport: TransportName
  adminUrl: string
  ordersDatabaseUrl: string
  urls: Record<ServiceName, string>
  /** Where each service serves `GET /metrics`. */
  metricsUrls: Record<ServiceName, string>
  watched: WatchedProcess[]
  versions: { postgres: string; kafka: string | null }
  postgresSettings: Record<string, string>
}

/**
 * Starts the system and stops whatever of it runs, also halfway through starting (Ctrl-C during
 * the start must not leave a service, PostgreSQL, a JVM or a temporary directory behind).
 */
export class SystemLauncher {
  readonly #options: SystemOptions
  readonly #services = new Map<ServiceName, ServiceProcess>()
  /** Whatever is being started right now: stop() waits for it, then stops it. */
  readonly #starting = new Set<Promise<unknown>>()
  #kafka: KafkaBroker | undefined
  #stopPostgres: (() => Promise<void>) | undefined
  #dataDir: string | undefined
  #stopping: Promise<void> | undefined

  constructor(options: SystemOptions) {
    this.#options = options
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#starting.add(promise)
    const untrack = () => this.#starting.delete(promise)
    promise.then(untrack, untrack)
    return promise
  }

  #checkNotStopping(): void {
    if (this.#stopping) throw new Error('stopped while starting')
  }

  /** SIGTERM to every service at once, synchronously (the first thing Ctrl-C does). */
  signalAll(): void {
    for (const service of this.#services.values()) service.child.kill('SIGTERM')
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      await Promise.allSettled([...this.#starting])
      await Promise.all([...this.#services.values()].map((service) => service.stop()))
      await this.#kafka?.stop()
      await this.#stopPostgres?.()
      if (this.#dataDir) await rm(this.#dataDir, { recursive: true, force: true })
    })()
    return this.#stopping
  }

  async start(): Promise<BenchSystem> {
    const { log, transport } = this.#options
    const dataDir = await mkdtemp(join(tmpdir(), 'shop-bench-pg-'))
    this.#dataDir = dataDir
    log(`starting PostgreSQL (throwaway, fsync on)${transport === 'kafka' ? ' and Kafka' : ''}…`)
    // Both at once; the broker's JVM also dies with this process (see scripts/kafka/broker.ts).
    const kafkaStarting =
      transport === 'kafka'
        ? this.#track(
            startKafkaBroker().then((broker) => {
              this.#kafka = broker
              return broker
            }),
          )
        : undefined
    const postgres = await this.#track(
      freePort().then(async (port) => {
        const started = await startEmbeddedPostgres({
          dataDir,
          port,
          persistent: false,
          // Profiling also counts time per SQL statement (pg_stat_statements costs a little).
          ...(this.#options.profileDir
            ? { settings: { shared_preload_libraries: 'pg_stat_statements' } }
            : {}),
        })
        this.#stopPostgres = () => started.stop()
        return started
      }),
    )
    const kafka = await kafkaStarting
    this.#checkNotStopping()
    const databases = { orders: 'shop_orders', payments: 'shop_payments', broker: 'shop_broker' }
    for (const database of Object.values(databases)) await ensureDatabase(postgres.adminUrl, database)
    const url = (database: string) => withDatabase(postgres.adminUrl, database)

    const ports: Record<ServiceName, number> = {
      'payments-service': await freePort(),
      'orders-service': await freePort(),
      'api-gateway': await freePort(),
    }
    const urls = Object.fromEntries(
      Object.entries(ports).map(([name, port]) => [name, `http://127.0.0.1:${port}`]),
    ) as Record<ServiceName, string>
    const nodeOptions = this.#options.profileDir
      ? `--cpu-prof --cpu-prof-dir=${this.#options.profileDir}`
      : ''
    const shared = {
      LOG_LEVEL: this.#options.logLevel,
      BROKER_DATABASE_URL: url(databases.broker),
      // Empty means unset to the services: the embedded transport, whatever the shell says.
      KAFKA_BOOTSTRAP_SERVERS: kafka?.bootstrap ?? '',
      KAFKA_CONSUMER_GROUP: '',
      NODE_OPTIONS: nodeOptions,
      ...this.#options.serviceEnv,
    }
    const run = async (name: ServiceName, env: Record<string, string>) => {
      this.#checkNotStopping()
      const service = await this.#track(
        startServiceProcess({ name, port: ports[name], env, output: 'ignore' }),
      )
      this.#services.set(name, service)
      this.#checkNotStopping()
    }
    log(`starting the services (${transport} transport, LOG_LEVEL=${this.#options.logLevel})…`)
    await Promise.all([
      run('payments-service', { ...shared, DATABASE_URL: url(databases.payments) }),
      run('orders-service', { ...shared, DATABASE_URL: url(databases.orders) }),
    ])
    await run('api-gateway', {
      LOG_LEVEL: this.#options.logLevel,
      NODE_OPTIONS: nodeOptions,
      ORDERS_SERVICE_URL: urls['orders-service'],
      PAYMENTS_SERVICE_URL: urls['payments-service'],
    })

    const postmaster = Number((await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0])
    const watched: WatchedProcess[] = [
      ...[...this.#services.values()].map((service) => ({
        name: service.name,
        pid: service.child.pid as number,
      })),
      { name: 'postgres', pid: postmaster, tree: true },
    ]
    if (kafka) {
      const jvm = findProcess('kafka.Kafka', kafka.dataDir)
      if (jvm) watched.push({ name: 'kafka', pid: jvm })
    }
    watched.push({ name: 'bench', pid: process.pid })

    const admin = new pg.Client({ connectionString: postgres.adminUrl })
    await admin.connect()
    const { rows } = await admin.query<{ name: string; setting: string }>(
      `SELECT name, setting || COALESCE(unit, '') AS setting FROM pg_settings
        WHERE name IN ('server_version', 'fsync', 'synchronous_commit', 'wal_sync_method', 'shared_buffers',
                       'max_connections', 'commit_delay', 'wal_buffers')`,
    )
    await admin.end()
    const postgresSettings = Object.fromEntries(rows.map((row) => [row.name, row.setting]))

    const metricsUrls = Object.fromEntries(
      [...this.#services.values()].map((service) => [service.name, service.metricsUrl]),
    ) as Record<ServiceName, string>
    return {
      transport,
      adminUrl: postgres.adminUrl,
      ordersDatabaseUrl: url(databases.orders),
      urls,
      metricsUrls,
      watched,
      versions: {
        postgres: postgresSettings.server_version ?? 'unknown',
        kafka: kafka ? await kafkaVersion() : null,
      },
      postgresSettings,
    }
  }
}

async function kafkaVersion(): Promise<string> {
  const jar = readdirSync(await ensureKafkaJars()).find((file) => /^kafka_2\.13-.*\.jar$/.test(file))
  return jar?.replace(/^kafka_2\.13-|\.jar$/g, '') ?? 'unknown'
}
