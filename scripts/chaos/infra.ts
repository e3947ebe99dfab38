/**
 * The infrastructure a chaos run restarts: an embedded PostgreSQL whose data survives a restart,
 * and (for the Kafka transport) a real broker restarted on the same ports and data directory.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type KafkaBroker, startKafkaBroker } from '../kafka/broker.ts'
import { reservePorts } from '../kafka/ports.ts'
import { ensureDatabase } from '../lib/embedded-postgres.ts'
import { type PostgresProcess, startPostgresProcess } from '../lib/launcher/postgres-process.ts'
import { freePort } from '../lib/launcher/service-process.ts'
import { sleep } from './util.ts'

export interface Outage {
  stoppedAt: number
  startedAt: number
}

export class ChaosPostgres {
  readonly outages: Outage[] = []
  readonly dataDir: string
  readonly port: number
  #running: PostgresProcess | undefined

  private constructor(dataDir: string, port: number) {
    this.dataDir = dataDir
    this.port = port
  }

  static async start(): Promise<ChaosPostgres> {
    // Its own temporary directory: PostgreSQL (run as `postgres` when we are root) must own it.
    const postgres = new ChaosPostgres(await mkdtemp(join(tmpdir(), 'shop-chaos-pg-')), await freePort())
    await postgres.#start()
    return postgres
  }

  urlFor(database: string): string {
    return `postgresql://postgres:postgres@127.0.0.1:${this.port}/${database}`
  }

  async createDatabases(names: string[]): Promise<void> {
    for (const name of names) await ensureDatabase(this.urlFor('postgres'), name)
  }

  /** A fast shutdown (every connection is cut), a pause, and a start on the same data and port. */
  async restart(downMs: number): Promise<Outage> {
    const stoppedAt = Date.now()
    await this.#running?.stop()
    this.#running = undefined
    await sleep(downMs)
    await this.#start()
    const outage = { stoppedAt, startedAt: Date.now() }
    this.outages.push(outage)
    return outage
  }

  /** Stops the server and deletes its data, unless asked to keep it for a post-mortem. */
  async stop(keepData = false): Promise<void> {
    await this.#running?.stop()
    this.#running = undefined
    if (!keepData) await rm(this.dataDir, { recursive: true, force: true })
  }

  async #start(): Promise<void> {
    let lastError: unknown
    for (let attempt = 1; attempt <= 5; attempt++) {
      try {
        this.#running = await startPostgresProcess({
          dataDir: this.dataDir,
          port: this.port,
          persistent: true,
        })
        return
      } catch (error) {
        lastError = error
        await sleep(1_000)
      }
    }
    throw new Error(`PostgreSQL did not start on port ${this.port}: ${String(lastError)}`)
  }
}

export class ChaosKafka {
  readonly outages: Outage[] = []
  readonly ports: { port: number; controllerPort: number }
  readonly dataDir: string
  #broker: KafkaBroker

  private constructor(broker: KafkaBroker, ports: { port: number; controllerPort: number }, dataDir: string) {
    this.#broker = broker
    this.ports = ports
    this.dataDir = dataDir
  }

  static async start(runDir: string): Promise<ChaosKafka> {
    const ports = await reservePorts({})
    const dataDir = join(runDir, 'kafka')
    return new ChaosKafka(await startKafkaBroker({ ...ports, dataDir }), ports, dataDir)
  }

  get bootstrap(): string {
    return this.#broker.bootstrap
  }

  /** A clean stop (Kafka's shutdown hook runs), a pause, and a start on the same ports and data. */
  async restart(downMs: number): Promise<Outage> {
    const stoppedAt = Date.now()
    await this.#broker.stop()
    await sleep(downMs)
    this.#broker = await startKafkaBroker({ ...this.ports, dataDir: this.dataDir })
    const outage = { stoppedAt, startedAt: Date.now() }
    this.outages.push(outage)
    return outage
  }

  async stop(): Promise<void> {
    await this.#broker.stop()
  }
}
