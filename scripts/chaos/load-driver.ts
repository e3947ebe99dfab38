/**
 * The customers: opens the accounts, then places orders and tops up at a steady pace with a few
 * requests in flight, through the gateway, while the faults happen. Some cancel an order just after
 * placing it, some refund earlier orders in parts, and some do both to one order at once. It records every request it
 * meant to make and what became of it as far as it can tell: `ok` (answered 2xx), `rejected`
 * (answered 4xx: certainly no effect) or `unknown` (no answer, or 5xx: it may or may not have
 * taken effect). The checks settle the unknown ones from the data.
 *
 * Requests are retried only when that is safe: with an Idempotency-Key where the API documents
 * one (then the same key is sent again), and a 429 always (the gateway refused it before
 * forwarding). Every top-up of a user has a different amount (its cents count the user's
 * top-ups) and every order carries its key in its description, so each row in the ledger or in
 * the orders table can be traced back to exactly one request of this driver.
 */
import { randomUUID } from 'node:crypto'
import { acceptsIdempotencyKey, call } from './http.ts'
import type { LoadPlan } from './options.ts'
import { between, chance, sleep } from './util.ts'

export interface UserModel {
  id: string
  initialMinor: number
  topUps: number
  /** The orders this user placed and was answered for: what later refunds pick from. */
  orders: { id: string; amountMinor: number }[]
}

export type Outcome = 'ok' | 'rejected' | 'unknown'

export interface Attempt {
  kind: 'order' | 'topup' | 'cancel' | 'refund'
  userId: string
  amountMinor: number
  /** Its Idempotency-Key, and for an order also its description. */
  key: string
  outcome: Outcome
  tries: number
  /** The last HTTP status seen (0: no answer). */
  status: number
  /** A retry was answered from the idempotency record rather than run again. */
  replayed: boolean
  /** The order it made (an order) or was about (a cancellation or a refund). */
  orderId?: string
}

export interface LoadResult {
  users: UserModel[]
  attempts: Attempt[]
  idempotency: { orders: boolean; topUps: boolean }
  /** Every answer by request kind and status, retries included; status 0 means no answer. */
  answers: Record<string, number>
  retries: number
  balanceReads: number
  /** Balances read during the run that were below zero, as `user: balance`. */
  negativeBalances: string[]
  startedAt: number
  endedAt: number
}

/**
 * Where each request goes: the gateway's URL, or a choice per request path (straight to the
 * instances of the service that serves it, for a run without a gateway).
 */
export type RequestTarget = string | ((path: string) => string)

const MAX_TOP_UPS_PER_USER = 99
const MAX_TRIES = 8
const RETRY_WINDOW_MS = 30_000
const ACCOUNT_TRIES = 20
/** Of the orders answered 201, how many their customer cancels at once, and how many of those race a refund. */
const CANCEL_SHARE = 0.15
const RACE_SHARE = 0.3
/** Of the other operations, how many refund part of an earlier order of the user (which may not be FINISHED). */
const REFUND_SHARE = 0.15
/** Of those refunds, how many ask for all that is left rather than an amount. */
const REFUND_ALL_SHARE = 0.2

export class LoadDriver {
  readonly users: UserModel[] = []
  readonly attempts: Attempt[] = []
  readonly #target: RequestTarget
  readonly #plan: LoadPlan
  readonly #runTag = randomUUID().slice(0, 8)
  readonly #answers: Record<string, number> = {}
  #idempotency = { orders: false, topUps: false }
  #accepted = 0
  #orderAttempts = 0
  #retries = 0
  #balanceReads = 0
  readonly #negative: string[] = []
  #finished = false
  #stopped = false

  constructor(target: RequestTarget, plan: LoadPlan) {
    this.#target = target
    this.#plan = plan
  }

  /** Asked again for every try, so a retry may reach another instance. */
  #baseFor(path: string): string {
    return typeof this.#target === 'string' ? this.#target : this.#target(path)
  }

  /** Share of the target orders accepted so far, 0..1. */
  get progress(): number {
    return Math.min(1, this.#accepted / this.#plan.orders)
  }

  get finished(): boolean {
    return this.#finished
  }

  /** Ends the load early: no request is started after this. */
  stop(): void {
    this.#stopped = true
  }

  /** Opens every account before the faults start; a lost answer is settled by the 409 of a retry. */
  async openAccounts(): Promise<void> {
    this.#idempotency = {
      orders: await acceptsIdempotencyKey(this.#baseFor('/orders'), '/orders'),
      topUps: await acceptsIdempotencyKey(this.#baseFor('/accounts/topup'), '/accounts/topup'),
    }
    for (let index = 0; index < this.#plan.users; index++) {
      // Some start empty, most with a little: enough orders are cancelled for want of funds.
      const initialMinor = index % 7 === 0 ? 0 : between(0, 300) * 100
      this.users.push({ id: randomUUID(), initialMinor, topUps: 0, orders: [] })
    }
    await Promise.all(this.users.map((user) => this.#openAccount(user)))
  }

  async run(): Promise<LoadResult> {
    const startedAt = Date.now()
    const deadline = startedAt + this.#plan.maxMs
    const intervalMs = 1_000 / this.#plan.opsPerSecond
    let nextAt = startedAt
    const more = () =>
      !this.#stopped &&
      this.#accepted < this.#plan.orders &&
      this.#orderAttempts < 2 * this.#plan.orders &&
      Date.now() < deadline
    const worker = async () => {
      while (more()) {
        const slot = Math.max(nextAt, Date.now())
        nextAt = slot + intervalMs
        await sleep(slot - Date.now())
        if (more()) await this.#operate()
      }
    }
    try {
      await Promise.all(Array.from({ length: this.#plan.concurrency }, worker))
    } finally {
      this.#finished = true
    }
    return {
      users: this.users,
      attempts: this.attempts,
      idempotency: this.#idempotency,
      answers: this.#answers,
      retries: this.#retries,
      balanceReads: this.#balanceReads,
      negativeBalances: this.#negative,
      startedAt,
      endedAt: Date.now(),
    }
  }

  async #openAccount(user: UserModel): Promise<void> {
    for (let tries = 1; tries <= ACCOUNT_TRIES; tries++) {
      const answer = await call(this.#baseFor('/accounts'), 'POST', '/accounts', user.id, {
        initial_balance: user.initialMinor / 100,
      })
      if (answer.status === 201 || (answer.status === 409 && answer.body?.code === 'account_exists')) return
      await sleep(500)
    }
    throw new Error(`could not open the account of ${user.id}`)
  }

  async #operate(): Promise<void> {
    const user = this.users[between(0, this.users.length - 1)] as UserModel
    if (this.attempts.length % 10 === 9) await this.#readBalance(user)
    if (chance(this.#plan.topUpShare) && user.topUps < MAX_TOP_UPS_PER_USER) {
      user.topUps += 1
      // The cents are the user's top-up count: no two top-ups of one user have the same amount.
      const amountMinor = between(20, 150) * 100 + user.topUps
      const attempt = this.#attempt('topup', user, amountMinor)
      await this.#send(attempt, '/accounts/topup', { amount: amountMinor / 100 }, this.#idempotency.topUps)
    } else if (user.orders.length > 0 && chance(REFUND_SHARE)) {
      const order = user.orders[between(0, user.orders.length - 1)] as UserModel['orders'][number]
      await this.#refund(user, order)
    } else {
      this.#orderAttempts += 1
      const attempt = this.#attempt('order', user, between(100, 12_000))
      await this.#send(
        attempt,
        '/orders',
        { amount: attempt.amountMinor / 100, description: attempt.key },
        this.#idempotency.orders,
      )
      if (attempt.outcome !== 'ok' || !attempt.orderId) return
      this.#accepted += 1
      const order = { id: attempt.orderId, amountMinor: attempt.amountMinor }
      user.orders.push(order)
      if (!chance(CANCEL_SHARE)) return
      // Just after placing it: its order_created may already be on its way to payments-service.
      if (chance(RACE_SHARE)) await Promise.all([this.#cancel(user, order), this.#refund(user, order)])
      else await this.#cancel(user, order)
    }
  }

  #cancel(user: UserModel, order: { id: string }): Promise<void> {
    const attempt = this.#attempt('cancel', user, 0)
    attempt.orderId = order.id
    return this.#send(attempt, `/orders/${order.id}/cancel`, {}, this.#idempotency.orders)
  }

  /** A part of the order (or all that is left); refused while it is not FINISHED or once it is used up. */
  #refund(user: UserModel, order: { id: string; amountMinor: number }): Promise<void> {
    const amountMinor = chance(REFUND_ALL_SHARE)
      ? 0
      : between(1, Math.max(1, Math.ceil(order.amountMinor / 2)))
    const attempt = this.#attempt('refund', user, amountMinor)
    attempt.orderId = order.id
    const body = amountMinor === 0 ? {} : { amount: amountMinor / 100 }
    return this.#send(attempt, `/orders/${order.id}/refunds`, body, this.#idempotency.orders)
  }

  #attempt(kind: Attempt['kind'], user: UserModel, amountMinor: number): Attempt {
    const attempt: Attempt = {
      kind,
      userId: user.id,
      amountMinor,
      key: `chaos-${this.#runTag}-${this.attempts.length + 1}`,
      outcome: 'unknown',
      tries: 0,
      status: 0,
      replayed: false,
    }
    this.attempts.push(attempt)
    return attempt
  }

  async #send(attempt: Attempt, path: string, body: unknown, idempotent: boolean): Promise<void> {
    const headers: Record<string, string> = idempotent ? { 'idempotency-key': attempt.key } : {}
    const deadline = Date.now() + RETRY_WINDOW_MS
    // Once one try may have taken effect, a later refusal no longer proves that nothing happened.
    let mayHaveApplied = false
    for (let tries = 1; tries <= MAX_TRIES; tries++) {
      attempt.tries = tries
      const answer = await call(this.#baseFor(path), 'POST', path, attempt.userId, body, headers)
      attempt.status = answer.status
      const counted = `${attempt.kind} ${answer.status}`
      this.#answers[counted] = (this.#answers[counted] ?? 0) + 1
      if (answer.status >= 200 && answer.status < 300) {
        attempt.outcome = 'ok'
        attempt.replayed = answer.headers?.get('idempotent-replayed') === 'true'
        if (attempt.kind === 'order') attempt.orderId = answer.body?.id
        if (attempt.kind === 'refund') attempt.amountMinor = Math.round(Number(answer.body?.amount) * 100)
        return
      }
      const notForwarded = answer.status === 429
      const stillRunning = answer.status === 409 && answer.body?.code === 'idempotency_key_in_use'
      if (answer.status >= 400 && answer.status < 500 && !notForwarded && !stillRunning) {
        attempt.outcome = mayHaveApplied ? 'unknown' : 'rejected'
        return
      }
      // No answer or 5xx: the effect is unknown, and only an idempotent request may be sent again.
      if (!notForwarded && !stillRunning) mayHaveApplied = true
      attempt.outcome = mayHaveApplied || stillRunning ? 'unknown' : 'rejected'
      if (!(idempotent || notForwarded) || Date.now() > deadline) return
      this.#retries += 1
      const retryAfterS = Number(answer.headers?.get('retry-after') ?? 0)
      await sleep(
        notForwarded && retryAfterS > 0 ? retryAfterS * 1_000 : Math.min(300 * 2 ** (tries - 1), 3_000),
      )
    }
  }

  async #readBalance(user: UserModel): Promise<void> {
    const answer = await call(this.#baseFor('/accounts/balance'), 'GET', '/accounts/balance', user.id)
    if (answer.status !== 200) return
    this.#balanceReads += 1
    if (typeof answer.body?.balance === 'number' && answer.body.balance < 0) {
      this.#negative.push(`${user.id}: ${answer.body.balance}`)
    }
  }
}
