/** Settles a whole batch: one outcome per item, in the items' order. Throwing fails the batch. */
export type SettleBatch<Item, Result> = (items: readonly Item[]) => Promise<PromiseSettledResult<Result>[]>

export interface GroupCommitOptions<Item, Result> {
  /**
   * How long an item waits for company while another batch is in flight; 0 settles every item
   * alone. An item that finds nothing in flight goes out at once with whatever arrived in the
   * same turn of the event loop, so a quiet service adds no latency.
   */
  windowMs: number
  /** The most items one batch holds: one more starts the next batch. */
  maxItems: number
  settle: SettleBatch<Item, Result>
  /**
   * Whether a batch that failed with `error` may be settled again item by item: only when the
   * failure proves nothing of the batch was written, or an item could be written twice.
   */
  retryAlone: (error: unknown) => boolean
}

interface Waiting<Item, Result> {
  item: Item
  resolve: (result: Result) => void
  reject: (error: unknown) => void
}

/**
 * Group commit: items submitted close together are settled by one call, so they share one
 * statement and one commit instead of paying for one each. Each submitter hears its own item's
 * outcome once the batch is settled. When the batch as a whole fails (say a constraint broken by
 * one row fails the statement of all) and nothing of it was written, each item is settled again
 * alone, so one bad item fails only itself.
 */
export class GroupCommit<Item, Result> {
  readonly #options: GroupCommitOptions<Item, Result>
  #waiting: Waiting<Item, Result>[] = []
  #scheduled: { cancel: () => void } | undefined
  readonly #inFlight = new Set<Promise<void>>()

  constructor(options: GroupCommitOptions<Item, Result>) {
    this.#options = options
  }

  submit(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject })
      if (this.#options.windowMs === 0 || this.#waiting.length >= this.#options.maxItems) this.#flush()
      else this.#scheduled ??= this.#schedule()
    })
  }

  /** Settles what is waiting now and resolves once every batch in flight is settled. */
  async close(): Promise<void> {
    this.#flush()
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight)
  }

  #schedule(): { cancel: () => void } {
    if (this.#inFlight.size === 0) {
      const handle = setImmediate(() => this.#flush())
      return { cancel: () => clearImmediate(handle) }
    }
    const handle = setTimeout(() => this.#flush(), this.#options.windowMs)
    return { cancel: () => clearTimeout(handle) }
  }

  #flush(): void {
    this.#scheduled?.cancel()
    this.#scheduled = undefined
    if (this.#waiting.length === 0) return
    const batch = this.#waiting
    this.#waiting = []
    const settling = this.#settle(batch).finally(() => {
      this.#inFlight.delete(settling)
      // Nothing left to wait for: those waiting for company go now rather than at the window's end.
      if (this.#inFlight.size === 0) this.#flush()
    })
    this.#inFlight.add(settling)
  }

  async #settle(batch: Waiting<Item, Result>[]): Promise<void> {
    try {
      const outcomes = await this.#options.settle(batch.map((waiting) => waiting.item))
      for (const [index, waiting] of batch.entries()) deliver(waiting, outcomes[index])
    } catch (error) {
      if (batch.length > 1 && this.#options.retryAlone(error))
        await Promise.all(batch.map((waiting) => this.#settle([waiting])))
      else for (const waiting of batch) waiting.reject(error)
    }
  }
}

function deliver<Item, Result>(
  waiting: Waiting<Item, Result>,
  outcome: PromiseSettledResult<Result> | undefined,
): void {
  if (outcome === undefined) waiting.reject(new Error('the batch settled fewer items than it was given'))
  else if (outcome.status === 'fulfilled') waiting.resolve(outcome.value)
  else waiting.reject(outcome.reason)
}
