/**
 * Runs one service as a sequence of OS processes ("incarnations"): starts it, SIGKILLs it when the
 * fault schedule says so, notices when it killed itself at a crash point, and starts it again.
 * Each incarnation writes its stdout (JSON logs) and stderr to files of its own, so nothing it
 * logged is lost when it dies and its crash-point line can be read afterwards.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  listenerEnv,
  REPO_ROOT,
  type ServiceName,
  serviceArguments,
} from '../lib/launcher/service-process.ts'
import { between, sleep } from './util.ts'

export type ExitCause = 'planned-kill' | 'crash-point' | 'stopped' | 'start-failed' | 'unexpected'

export interface Incarnation {
  n: number
  pid: number | undefined
  armed: boolean
  startedAt: number
  healthyAt?: number
  exitedAt?: number
  exit?: string
  cause?: ExitCause
  /** The crash point the process named on stderr before it killed itself. */
  crashPoint?: string
  /** The end of its stderr and its last error log line, kept when it exited by itself. */
  lastWords?: string
  logFile: string
  errFile: string
  /** messages_consumed_total by outcome, as last scraped from this incarnation's /metrics. */
  consumed: Record<string, number>
}

export interface SupervisorOptions {
  name: ServiceName
  port: number
  /** Where every incarnation serves its metrics. */
  metricsPort: number
  env: Record<string, string>
  runDir: string
  /** SHOP_CRASH_POINTS of an armed incarnation. */
  crashPoints: string
  log: (line: string) => void
}

const SETPRIV = '/usr/bin/setpriv'
const HEALTH_TIMEOUT_MS = 30_000
const START_DEADLINE_MS = 120_000
const STOP_GRACE_MS = 10_000
const SCRAPE_EVERY_MS = 2_000
/** Settings of the runner's own environment that must not leak into a service. */
const SCRUBBED = [
  'DATABASE_URL',
  'BROKER_DATABASE_URL',
  'KAFKA_BOOTSTRAP_SERVERS',
  'KAFKA_CONSUMER_GROUP',
  'ORDERS_TOPIC',
  'PAYMENT_RESULTS_TOPIC',
  'SHOP_CRASH_POINTS',
  'TOPIC_PARTITIONS',
]

export class ServiceSupervisor {
  readonly name: ServiceName
  readonly url: string
  readonly metricsUrl: string
  readonly incarnations: Incarnation[] = []
  /** Restarts that failed for good (the run cannot be trusted after one). */
  readonly failures: string[] = []
  readonly #options: SupervisorOptions
  #child: ChildProcess | undefined
  #exited: Promise<void> = Promise.resolve()
  #plannedKill = false
  #stopping = false
  #queue: Promise<unknown> = Promise.resolve()
  readonly #scraper: NodeJS.Timeout

  constructor(options: SupervisorOptions) {
    this.#options = options
    this.name = options.name
    this.url = `http://127.0.0.1:${options.port}`
    this.metricsUrl = `http://127.0.0.1:${options.metricsPort}`
    mkdirSync(join(options.runDir, 'logs'), { recursive: true })
    this.#scraper = setInterval(() => void this.#scrape(), SCRAPE_EVERY_MS)
    this.#scraper.unref()
  }

  get isUp(): boolean {
    const child = this.#child
    return child !== undefined && child.exitCode === null && child.signalCode === null
  }

  /** Whether the running incarnation has its crash points armed. */
  get armed(): boolean {
    return this.isUp && this.incarnations.at(-1)?.armed === true
  }

  /** Starts an incarnation and resolves once its /health answers. */
  start(armed: boolean): Promise<void> {
    return this.#enqueue(() => this.#launch(armed))
  }

  /** SIGKILL now, stay down `downMs`, then start again; false when it was not running. */
  kill(downMs: number, armNext: boolean): Promise<boolean> {
    return this.#enqueue(async () => {
      const child = this.#child
      if (!child || !this.isUp) return false
      await this.#scrape()
      // It may have died at a crash point meanwhile; then its own restart is already queued.
      if (!this.isUp || this.#child !== child) return false
      this.#plannedKill = true
      const exited = this.#exited
      child.kill('SIGKILL')
      await exited
      await sleep(downMs)
      await this.#launch(armNext)
      return true
    })
  }

  /** Resolves once every restart queued so far is done. */
  idle(): Promise<void> {
    return this.#enqueue(async () => {})
  }

  /** SIGTERM (SIGKILL after the grace period), and no more restarts. */
  async stop(): Promise<void> {
    this.#stopping = true
    clearInterval(this.#scraper)
    await this.#enqueue(async () => {
      const child = this.#child
      if (!child || !this.isUp) return
      await this.#scrape()
      const exited = this.#exited
      child.kill('SIGTERM')
      const escalate = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS)
      await exited
      clearTimeout(escalate)
    })
  }

  /** The last resort when the runner itself is going away: synchronous, no restarts. */
  killNow(): void {
    this.#stopping = true
    clearInterval(this.#scraper)
    this.#child?.kill('SIGKILL')
  }

  #enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.catch(() => {}).then(work)
    this.#queue = run.catch((error: unknown) => {
      this.failures.push(error instanceof Error ? error.message : String(error))
    })
    return run
  }

  async #launch(armedWanted: boolean): Promise<void> {
    let armed = armedWanted
    const deadline = Date.now() + START_DEADLINE_MS
    while (!this.#stopping) {
      const { incarnation, child } = this.#spawn(armed)
      if (await this.#waitHealthy(child)) {
        incarnation.healthyAt = Date.now()
        return
      }
      if (child.exitCode === null && child.signalCode === null) {
        const exited = this.#exited
        child.kill('SIGKILL')
        await exited
      }
      // One crash-point death per armed incarnation: the next attempt comes up disarmed.
      if (incarnation.cause === 'crash-point') armed = false
      if (Date.now() > deadline) {
        throw new Error(
          `${this.name} did not start within ${START_DEADLINE_MS / 1000} s; see ${incarnation.errFile}`,
        )
      }
      await sleep(1_000)
    }
  }

  #spawn(armed: boolean): { incarnation: Incarnation; child: ChildProcess } {
    const n = this.incarnations.length + 1
    const base = join(this.#options.runDir, 'logs', `${this.name}.${n}`)
    const incarnation: Incarnation = {
      n,
      pid: undefined,
      armed,
      startedAt: Date.now(),
      logFile: `${base}.log`,
      errFile: `${base}.err`,
      consumed: {},
    }
    this.incarnations.push(incarnation)
    this.#plannedKill = false
    const env: Record<string, string | undefined> = { ...process.env }
    for (const key of SCRUBBED) delete env[key]
    Object.assign(env, this.#options.env, listenerEnv(this.#options.port, this.#options.metricsPort), {
      SHOP_CRASH_POINTS: armed ? this.#options.crashPoints : '',
    })
    // setpriv makes the kernel kill the service if this runner dies, even by SIGKILL.
    const [command, ...args] = existsSync(SETPRIV)
      ? [SETPRIV, '--pdeathsig', 'KILL', '--', process.execPath, ...serviceArguments(this.name)]
      : [process.execPath, ...serviceArguments(this.name)]
    const out = openSync(incarnation.logFile, 'a')
    const err = openSync(incarnation.errFile, 'a')
    const child = spawn(command as string, args, { cwd: REPO_ROOT, env, stdio: ['ignore', out, err] })
    closeSync(out)
    closeSync(err)
    incarnation.pid = child.pid
    this.#child = child
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#onExit(incarnation, child, signal ?? String(code))
        resolve()
      })
      child.once('error', (error) => {
        incarnation.exit = `spawn error: ${error.message}`
        resolve()
      })
    })
    return { incarnation, child }
  }

  #onExit(incarnation: Incarnation, child: ChildProcess, exit: string): void {
    incarnation.exitedAt = Date.now()
    incarnation.exit = exit
    const crashPoint = crashPointNamedIn(incarnation.errFile)
    if (crashPoint) {
      incarnation.cause = 'crash-point'
      incarnation.crashPoint = crashPoint
    } else if (this.#plannedKill) incarnation.cause = 'planned-kill'
    else if (this.#stopping) incarnation.cause = 'stopped'
    else if (incarnation.healthyAt === undefined) incarnation.cause = 'start-failed'
    else incarnation.cause = 'unexpected'
    if (incarnation.cause === 'unexpected' || incarnation.cause === 'start-failed') {
      incarnation.lastWords = lastWordsOf(incarnation)
    }
    this.#plannedKill = false
    if (this.#child === child) this.#child = undefined

    const died = incarnation.cause === 'crash-point' || incarnation.cause === 'unexpected'
    // Deaths during a start are retried by #launch; a running incarnation is restarted from here.
    if (died && incarnation.healthyAt !== undefined && !this.#stopping) {
      this.#options.log(
        `${this.name} #${incarnation.n} died (${incarnation.crashPoint ?? `exit ${exit}`}); restarting`,
      )
      void this.#enqueue(async () => {
        await sleep(between(500, 1_000))
        if (!this.#stopping && !this.isUp) await this.#launch(false)
      }).catch(() => {})
    }
  }

  async #waitHealthy(child: ChildProcess): Promise<boolean> {
    const deadline = Date.now() + HEALTH_TIMEOUT_MS
    while (Date.now() < deadline && !this.#stopping) {
      if (child.exitCode !== null || child.signalCode !== null) return false
      const healthy = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(1_000) }).then(
        (response) => response.ok,
        () => false,
      )
      if (healthy && child.exitCode === null && child.signalCode === null) return true
      await sleep(100)
    }
    return false
  }

  /** Keeps the highest messages_consumed_total per outcome the running incarnation reported. */
  async #scrape(): Promise<void> {
    const incarnation = this.incarnations.at(-1)
    if (!incarnation || !this.isUp) return
    const text = await fetch(`${this.metricsUrl}/metrics`, { signal: AbortSignal.timeout(1_000) })
      .then((response) => (response.ok ? response.text() : ''))
      .catch(() => '')
    const totals: Record<string, number> = {}
    for (const match of text.matchAll(/^messages_consumed_total\{([^}]*)\} (\S+)$/gm)) {
      const outcome = /outcome="(\w+)"/.exec(match[1] ?? '')?.[1]
      if (outcome) totals[outcome] = (totals[outcome] ?? 0) + Number(match[2])
    }
    for (const [outcome, value] of Object.entries(totals)) {
      incarnation.consumed[outcome] = Math.max(incarnation.consumed[outcome] ?? 0, value)
    }
  }
}

/** What a process that exited by itself said last: its stderr's end, or its last error log line. */
function lastWordsOf(incarnation: Incarnation): string {
  const read = (file: string) => {
    try {
      return readFileSync(file, 'utf8')
    } catch {
      return ''
    }
  }
  const stderr = read(incarnation.errFile).trim()
  const lastError = read(incarnation.logFile)
    .split('\n')
    .filter((line) => /"level":(50|60)/.test(line))
    .at(-1)
  // Node prints what killed it first ("Unhandled 'error' event … terminating connection …").
  return `${stderr.slice(0, 600).replace(/\s+/g, ' ')}${lastError ? ` | last error logged: ${lastError.slice(0, 400)}` : ''}`
}

function crashPointNamedIn(errFile: string): string | undefined {
  try {
    return /crash point (\S+): exiting/.exec(readFileSync(errFile, 'utf8'))?.[1]
  } catch {
    return undefined
  }
}
