/**
 * Starts the whole shop and stops it: the databases (an embedded PostgreSQL or given URLs), the
 * transport (the embedded log, a given Kafka broker or one started here) and the three services
 * as OS processes, each on its ports. Every runner goes through it: `npm start`, the benchmark,
 * soak, test:api, the chaos suite's infrastructure and the tests.
 *
 * The stop runs in order, and can say each step: the gateway, then the services, then the broker, then
 * the database. PostgreSQL and the broker run in process groups of their own, so a terminal's
 * Ctrl-C reaches only the launcher and the services, never what they still need while stopping.
 * A stop during the start waits for what is starting and stops it too.
 */
import { METRICS_PORT_OFFSET } from '../../../packages/platform/src/config.ts'
import type { KafkaBroker } from '../../kafka/broker.ts'
import { type DatabaseChoice, provideDatabases, type RunningDatabases } from './databases.ts'
import type { PostgresProcess } from './postgres-process.ts'
import { freePort, type ServiceName, type ServiceProcess, startServiceProcess } from './service-process.ts'
import { type DatabaseRole, START_ORDER, STOP_ORDER, type Wiring, wiringOf } from './shop-wiring.ts'
import { provideTransport, type RunningTransport, type TransportChoice } from './transport.ts'

export interface ShopOptions {
  database: DatabaseChoice
  transport: TransportChoice
  /** Each service's API port; a free one for those not given. */
  ports?: Partial<Record<ServiceName, number>>
  /** `above`: metrics on the API port + 100, as a service does by itself; `free`: any free port. */
  metricsPorts?: 'above' | 'free'
  /** Settings every process gets, after its wiring (so a test may override it). */
  env?: Record<string, string>
  /** Settings of one process, after the shared ones. */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>
  /** Where the services' log lines (stdout) go; stderr always reaches the console. */
  output?: 'inherit' | 'ignore' | 'pipe'
  /** Restart a service that exits by itself, after this pause; never when not given. */
  restartDelayMs?: number
  /** Called once the databases and the transport are up, before the first service starts. */
  onServicesStarting?: () => void
  /** Called with every service process started, restarts included (to read its output, say). */
  onStarted?: (service: ServiceProcess) => void
  /** What a person should know while it starts and runs (a restart, where the data is). */
  log: (line: string) => void
  /** Where the stop says each step (`stopping api-gateway… done`); it is silent without. */
  reportStop?: (line: string) => void
}

export interface RunningShop {
  urls: Record<ServiceName, string>
  metricsUrls: Record<ServiceName, string>
  databaseUrls: Record<DatabaseRole, string>
  /** The embedded PostgreSQL, when one was started. */
  postgres?: PostgresProcess
  /** The Kafka broker, when one was started. */
  kafka?: KafkaBroker
  transportEnv: Record<string, string>
  /** The running process of each service. */
  services: Map<ServiceName, ServiceProcess>
}

export class ShopLauncher {
  readonly #options: ShopOptions
  readonly services = new Map<ServiceName, ServiceProcess>()
  /** Whatever is being started right now: stop() waits for it, then stops it. */
  readonly #starting = new Set<Promise<unknown>>()
  readonly #envOf = new Map<ServiceName, Record<string, string>>()
  readonly #ports = new Map<ServiceName, { port: number; metricsPort?: number }>()
  #databases: RunningDatabases | undefined
  #transport: RunningTransport | undefined
  #stopping: Promise<void> | undefined

  constructor(options: ShopOptions) {
    this.#options = options
  }

  async start(): Promise<RunningShop> {
    const { log } = this.#options
    const [databases, transport] = await Promise.all([
      this.#track(provideDatabases(this.#options.database, log)).then((started) => {
        this.#databases = started
        return started
      }),
      this.#track(provideTransport(this.#options.transport)).then((started) => {
        this.#transport = started
        return started
      }),
    ])
    this.#checkNotStopping()
    this.#options.onServicesStarting?.()
    const urls = await this.#assignPorts()
    const wiring: Wiring = { databaseUrls: databases.urls, transportEnv: transport.env, urls }
    for (const name of START_ORDER.flat()) {
      this.#envOf.set(name, {
        ...wiringOf(name, wiring),
        ...this.#options.env,
        ...this.#options.serviceEnv?.[name],
      })
    }
    for (const group of START_ORDER) await Promise.all(group.map((name) => this.#run(name)))
    const metricsUrls = Object.fromEntries(
      [...this.services.values()].map((service) => [service.name, service.metricsUrl]),
    ) as Record<ServiceName, string>
    return {
      urls,
      metricsUrls,
      databaseUrls: databases.urls,
      ...(databases.postgres ? { postgres: databases.postgres } : {}),
      ...(transport.broker ? { kafka: transport.broker } : {}),
      transportEnv: transport.env,
      services: this.services,
    }
  }

  /** Starts a service again (after it stopped or was killed), on the same ports and settings. */
  async restart(name: ServiceName): Promise<ServiceProcess> {
    await this.services.get(name)?.stop()
    return this.#run(name)
  }

  /** SIGTERM to every service at once, synchronously (the first thing an interrupted runner does). */
  signalAll(): void {
    for (const service of this.services.values()) service.child.kill('SIGTERM')
  }

  /** Stops everything, in order, one line a step; also halfway through a start. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      const report = this.#options.reportStop ?? (() => {})
      await Promise.allSettled([...this.#starting])
      for (const name of STOP_ORDER) {
        const service = this.services.get(name)
        if (!service) continue
        await service.stop()
        report(`stopping ${name}… done`)
      }
      if (this.#transport?.broker) {
        await this.#transport.broker.stop()
        report('stopping Kafka… done')
      }
      if (this.#databases?.postgres) {
        await this.#databases.stop()
        report('stopping PostgreSQL… done')
      }
    })()
    return this.#stopping
  }

  /** Each service's ports (given, or free ones); returns where each will serve its API. */
  async #assignPorts(): Promise<Record<ServiceName, string>> {
    const urls: Partial<Record<ServiceName, string>> = {}
    for (const name of START_ORDER.flat()) {
      const port = this.#options.ports?.[name] ?? (await freePort())
      const metricsPort = this.#options.metricsPorts === 'above' ? port + METRICS_PORT_OFFSET : undefined
      this.#ports.set(name, { port, ...(metricsPort === undefined ? {} : { metricsPort }) })
      urls[name] = `http://127.0.0.1:${port}`
    }
    return urls as Record<ServiceName, string>
  }

  async #run(name: ServiceName): Promise<ServiceProcess> {
    this.#checkNotStopping()
    const { port, metricsPort } = this.#ports.get(name) as { port: number; metricsPort?: number }
    const service = await this.#track(
      startServiceProcess({
        name,
        port,
        ...(metricsPort === undefined ? {} : { metricsPort }),
        env: this.#envOf.get(name) ?? {},
        output: this.#options.output ?? 'inherit',
      }),
    )
    this.services.set(name, service)
    this.#options.onStarted?.(service)
    service.child.once('exit', (code, signal) => this.#onExit(service, signal ?? String(code)))
    this.#checkNotStopping()
    return service
  }

  #onExit(service: ServiceProcess, exit: string): void {
    const delayMs = this.#options.restartDelayMs
    if (this.#stopping || delayMs === undefined || this.services.get(service.name) !== service) return
    this.#options.log(`${service.name} exited (${exit}); restarting in ${delayMs} ms`)
    setTimeout(() => {
      if (this.#stopping || this.services.get(service.name) !== service) return
      this.#run(service.name).catch((error: unknown) =>
        this.#options.log(
          `${service.name} did not restart: ${error instanceof Error ? error.message : error}`,
        ),
      )
    }, delayMs)
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
}
