/**
 * Follows every accepted order to its final status in orders-service's own table.
 *
 * Detection and timing are separate. orders-service announces every settled order on a
 * PostgreSQL channel; the tracker LISTENs, and every POLL_MS looks up the rows of the orders
 * announced since (primary-key lookups of settled orders only, each once). A slower sweep of
 * every pending order catches what a lost notification would hide. Looking up every pending
 * order every POLL_MS instead cost PostgreSQL up to a fifth of a core at the peak, thousands of
 * pending ids 50 times a second, CPU the measured system lacked. The moment of
 * settlement is the row's `updated_at`, written by the settling transaction itself. So the poll
 * interval does not blur the latency. Latency is `updated_at` minus the moment the client read the
 * 201, both on this machine's wall clock; `updated_at` is now() of the settling transaction, so
 * the figure leaves out that transaction's own commit (one WAL flush). `created_at` to
 * `updated_at` (both PostgreSQL's clock) is recorded too.
 */
import pg from 'pg'
import { ORDER_STATUS_CHANNEL } from '../../../services/orders-service/src/data/order-status-channel.ts'
import { finalOrders } from '../../lib/settle-waiter.ts'
import { distribution, sleep } from './stats.ts'

const POLL_MS = 20
/** Every pending order is looked up this often, whether announced or not. */
const SWEEP_MS = 1_000
/** Pending ids looked up per query, oldest first. */
const POLL_BATCH = 5_000

interface Pending {
  answeredAt: number
  phase: string
}

export interface PhaseSettlement {
  accepted: number
  settled: number
  finished: number
  cancelled: number
  /** 201 read by the client → `updated_at`, ms. */
  latencies: number[]
  /** `created_at` → `updated_at`, ms (both PostgreSQL's clock). */
  dbLatencies: number[]
  lastSettledAt: number
}

export class SettlementTracker {
  readonly #client: pg.Client
  readonly #pending = new Map<string, Pending>()
  readonly #phases = new Map<string, PhaseSettlement>()
  /** Orders announced as settled and not yet looked up. */
  #announced = new Set<string>()
  #running = false
  #loop: Promise<void> | undefined
  /** Poll failures (the loop keeps going; reported so that a broken poll cannot hide). */
  pollErrors = 0

  constructor(ordersDatabaseUrl: string) {
    this.#client = new pg.Client({ connectionString: ordersDatabaseUrl, application_name: 'bench-tracker' })
  }

  async start(): Promise<void> {
    await this.#client.connect()
    this.#client.on('notification', ({ payload }) => {
      const orderId = payload && (JSON.parse(payload) as { order_id?: string }).order_id
      if (orderId) this.#announced.add(orderId)
    })
    await this.#client.query(`LISTEN ${ORDER_STATUS_CHANNEL}`)
    this.#running = true
    this.#loop = this.#run()
  }

  async stop(): Promise<void> {
    this.#running = false
    await this.#loop
    await this.#client.end().catch(() => {})
  }

  track(orderId: string, answeredAt: number, phase: string): void {
    this.#pending.set(orderId, { answeredAt, phase })
    this.#phase(phase).accepted += 1
  }

  phase(name: string): PhaseSettlement {
    return this.#phase(name)
  }

  pendingCount(phase?: string): number {
    if (phase === undefined) return this.#pending.size
    const settlement = this.#phases.get(phase)
    return settlement ? settlement.accepted - settlement.settled : 0
  }

  /** Waits until the phase's orders are all settled, or the timeout passed; returns how many are left. */
  async waitFor(phase: string | undefined, timeoutMs: number): Promise<number> {
    const deadline = performance.now() + timeoutMs
    while (this.pendingCount(phase) > 0 && performance.now() < deadline) await sleep(POLL_MS)
    // One more poll: the last settlements may have landed since the loop last looked.
    await sleep(POLL_MS * 2)
    return this.pendingCount(phase)
  }

  summary(name: string) {
    const phase = this.#phase(name)
    return {
      accepted: phase.accepted,
      settled: phase.settled,
      unsettled: phase.accepted - phase.settled,
      finished: phase.finished,
      cancelled: phase.cancelled,
      settleMs: distribution(phase.latencies),
      createdToSettledMs: distribution(phase.dbLatencies),
    }
  }

  #phase(name: string): PhaseSettlement {
    let phase = this.#phases.get(name)
    if (!phase) {
      phase = {
        accepted: 0,
        settled: 0,
        finished: 0,
        cancelled: 0,
        latencies: [],
        dbLatencies: [],
        lastSettledAt: 0,
      }
      this.#phases.set(name, phase)
    }
    return phase
  }

  async #run(): Promise<void> {
    let lastSweep = performance.now()
    while (this.#running) {
      try {
        if (performance.now() - lastSweep >= SWEEP_MS) {
          lastSweep = performance.now()
          await this.#lookUp(this.#pending.keys())
        } else if (this.#announced.size > 0) {
          const announced = this.#announced
          this.#announced = new Set()
          await this.#lookUp(announced.values())
        }
      } catch {
        this.pollErrors += 1
      }
      await sleep(POLL_MS)
    }
  }

  /** Looks up the given orders that are still pending, and records those that have settled. */
  async #lookUp(candidates: Iterable<string>): Promise<void> {
    const ids: string[] = []
    for (const id of candidates) {
      if (!this.#pending.has(id)) continue
      ids.push(id)
      if (ids.length >= POLL_BATCH) break
    }
    if (ids.length === 0) return
    const rows = await finalOrders(this.#client, ids)
    for (const row of rows) {
      const pending = this.#pending.get(row.id)
      if (!pending) continue
      this.#pending.delete(row.id)
      const phase = this.#phase(pending.phase)
      phase.settled += 1
      if (row.status === 'FINISHED') phase.finished += 1
      else phase.cancelled += 1
      phase.latencies.push(row.settledMs - pending.answeredAt)
      phase.dbLatencies.push(row.settledMs - row.createdMs)
      phase.lastSettledAt = Math.max(phase.lastSettledAt, row.settledMs)
    }
  }
}
