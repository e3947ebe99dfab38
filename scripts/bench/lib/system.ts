/**
 * The shop as the benchmark runs it: the launcher's throwaway PostgreSQL (fsync on, as in
 * production), a Kafka broker for the Kafka transport, and the three services as OS processes,
 * each on a free port, exactly as `npm start` runs them; plus what the benchmark records of it: the
 * processes to watch, the versions and PostgreSQL's settings.
 */
import { readdirSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import pg from 'pg'
import { ensureKafkaJars } from '../../kafka/broker.ts'
import type { ServiceName } from '../../lib/launcher/service-process.ts'
import { ShopLauncher } from '../../lib/launcher/shop-launcher.ts'
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
  databaseUrls: Record<'orders' | 'payments' | 'broker', string>
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
  readonly #launcher: ShopLauncher

  constructor(options: SystemOptions) {
    this.#options = options
    const nodeOptions = options.profileDir ? `--cpu-prof --cpu-prof-dir=${options.profileDir}` : ''
    const backendEnv = {
      // Empty means unset to the services, whatever the shell says.
      KAFKA_CONSUMER_GROUP: '',
      ...options.serviceEnv,
    }
    this.#launcher = new ShopLauncher({
      database: {
        kind: 'embedded',
        // Profiling also counts time per SQL statement (pg_stat_statements costs a little).
        ...(options.profileDir ? { settings: { shared_preload_libraries: 'pg_stat_statements' } } : {}),
      },
      transport: { kind: options.transport },
      env: { LOG_LEVEL: options.logLevel, NODE_OPTIONS: nodeOptions },
      serviceEnv: { 'orders-service': backendEnv, 'payments-service': backendEnv },
      output: 'ignore',
      onServicesStarting: () =>
        options.log(`starting the services (${options.transport} transport, LOG_LEVEL=${options.logLevel})…`),
      log: options.log,
    })
  }

  /** SIGTERM to every service at once, synchronously (the first thing Ctrl-C does). */
  signalAll(): void {
    this.#launcher.signalAll()
  }

  stop(): Promise<void> {
    return this.#launcher.stop()
  }

  async start(): Promise<BenchSystem> {
    const { log, transport } = this.#options
    log(`starting PostgreSQL (throwaway, fsync on)${transport === 'kafka' ? ' and Kafka' : ''}…`)
    const shop = await this.#launcher.start()
    const postgres = shop.postgres
    if (!postgres) throw new Error('the benchmark runs on its own PostgreSQL')

    const postmaster = Number(
      (await readFile(join(postgres.dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0],
    )
    const watched: WatchedProcess[] = [
      ...[...shop.services.values()].map((service) => ({
        name: service.name,
        pid: service.child.pid as number,
      })),
      { name: 'postgres', pid: postmaster, tree: true },
    ]
    if (shop.kafka) {
      const jvm = findProcess('kafka.Kafka', shop.kafka.dataDir)
      if (jvm) watched.push({ name: 'kafka', pid: jvm })
    }
    watched.push({ name: 'bench', pid: process.pid })

    const postgresSettings = await readPostgresSettings(postgres.adminUrl)
    return {
      transport,
      adminUrl: postgres.adminUrl,
      ordersDatabaseUrl: shop.databaseUrls.orders,
      databaseUrls: shop.databaseUrls,
      urls: shop.urls,
      metricsUrls: shop.metricsUrls,
      watched,
      versions: {
        postgres: postgresSettings.server_version ?? 'unknown',
        kafka: shop.kafka ? await kafkaVersion() : null,
      },
      postgresSettings,
    }
  }
}

async function readPostgresSettings(adminUrl: string): Promise<Record<string, string>> {
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  try {
    const { rows } = await admin.query<{ name: string; setting: string }>(
      `SELECT name, setting || COALESCE(unit, '') AS setting FROM pg_settings
        WHERE name IN ('server_version', 'fsync', 'synchronous_commit', 'wal_sync_method', 'shared_buffers',
                       'max_connections', 'commit_delay', 'wal_buffers')`,
    )
    return Object.fromEntries(rows.map((row) => [row.name, row.setting]))
  } finally {
    await admin.end()
  }
}

async function kafkaVersion(): Promise<string> {
  const jar = readdirSync(await ensureKafkaJars()).find((file) => /^kafka_2\.13-.*\.jar$/.test(file))
  return jar?.replace(/^kafka_2\.13-|\.jar$/g, '') ?? 'unknown'
}
