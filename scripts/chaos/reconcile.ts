/**
 * Ties the driver's requests to the data: each order row to the one POST /orders that made it (by
 * the key in its description), each top-up in the ledger to the one POST /accounts/topup that made
 * it (by its amount, unique per user). A request answered 2xx must have exactly one effect, one
 * refused with 4xx none, and one whose answer was lost at most one; the lost ones are counted by
 * what actually happened. Then the public API must tell each user what the data says.
 */
import { type Check, check, groupBy } from './check.ts'
import { statementsEqualLedger } from './invariants.ts'
import type { Attempt, LoadResult } from './load-driver.ts'
import type { ApiView, Snapshot } from './snapshot.ts'

export interface Reconciliation {
  ordersAnswered: number
  ordersRefused: number
  ordersUnknown: number
  /** Orders whose POST got no usable answer but that exist. */
  unknownOrdersCreated: number
  topUpsAnswered: number
  topUpsRefused: number
  topUpsUnknown: number
  unknownTopUpsApplied: number
  /** Retries answered from the idempotency record instead of running again. */
  replayed: number
}

export function reconcile(
  snapshot: Snapshot,
  load: LoadResult,
  api: ApiView,
): { checks: Check[]; figures: Reconciliation } {
  const orders = reconcileOrders(
    snapshot,
    load.attempts.filter((attempt) => attempt.kind === 'order'),
  )
  const topUps = reconcileTopUps(
    snapshot,
    load.attempts.filter((attempt) => attempt.kind === 'topup'),
  )
  const figures: Reconciliation = {
    ...orders.figures,
    ...topUps.figures,
    replayed: load.attempts.filter((attempt) => attempt.replayed).length,
  }
  return {
    checks: [
      orders.check,
      topUps.check,
      apiAgrees(snapshot, load, api),
      statementsEqualLedger(snapshot, api),
    ],
    figures,
  }
}

function reconcileOrders(snapshot: Snapshot, attempts: Attempt[]) {
  const problems: string[] = []
  const byKey = groupBy(snapshot.orders, (order) => order.description ?? '')
  const known = new Set(attempts.map((attempt) => attempt.key))
  let unknownOrdersCreated = 0
  for (const attempt of attempts) {
    const rows = byKey.get(attempt.key) ?? []
    if (rows.length > 1)
      problems.push(`request ${attempt.key} made ${rows.length} orders: ${rows.map((row) => row.id)}`)
    const row = rows[0]
    if (row && (row.userId !== attempt.userId || row.amountMinor !== attempt.amountMinor)) {
      problems.push(`order ${row.id} does not match request ${attempt.key}`)
    }
    if (attempt.outcome === 'ok' && row?.id !== attempt.orderId) {
      problems.push(`order ${attempt.orderId} (answered 201 to ${attempt.key}) is not in the database`)
    }
    if (attempt.outcome === 'rejected' && row)
      problems.push(`order ${row.id} exists though ${attempt.key} was refused`)
    if (attempt.outcome === 'unknown' && row) unknownOrdersCreated += 1
  }
  for (const order of snapshot.orders) {
    if (!known.has(order.description ?? '')) problems.push(`order ${order.id} matches no request`)
  }
  const count = (outcome: Attempt['outcome']) =>
    attempts.filter((attempt) => attempt.outcome === outcome).length
  const figures = {
    ordersAnswered: count('ok'),
    ordersRefused: count('rejected'),
    ordersUnknown: count('unknown'),
    unknownOrdersCreated,
  }
  const detail =
    `${figures.ordersAnswered} answered 201, all in the database once; ${figures.ordersRefused} refused, none created; ` +
    `${figures.ordersUnknown} unanswered, of which ${unknownOrdersCreated} were created (found by their key)`
  return {
    check: check(
      'every POST /orders has at most one order, and exactly one when answered 201',
      problems,
      detail,
    ),
    figures,
  }
}

function reconcileTopUps(snapshot: Snapshot, attempts: Attempt[]) {
  const problems: string[] = []
  const sent = new Map(attempts.map((attempt) => [`${attempt.userId}/${attempt.amountMinor}`, attempt]))
  const applied = new Map<Attempt, number>()
  for (const entry of snapshot.ledger.filter((row) => row.kind === 'top_up')) {
    const attempt = sent.get(`${entry.userId}/${entry.amountMinor}`)
    if (!attempt)
      problems.push(`ledger top-up ${entry.id} (${entry.amountMinor} for ${entry.userId}) matches no request`)
    else applied.set(attempt, (applied.get(attempt) ?? 0) + 1)
  }
  let unknownTopUpsApplied = 0
  for (const attempt of attempts) {
    const times = applied.get(attempt) ?? 0
    if (times > 1) problems.push(`top-up ${attempt.key} was applied ${times} times`)
    if (attempt.outcome === 'ok' && times === 0)
      problems.push(`top-up ${attempt.key} answered 200 but is not in the ledger`)
    if (attempt.outcome === 'rejected' && times > 0)
      problems.push(`top-up ${attempt.key} was refused but applied`)
    if (attempt.outcome === 'unknown' && times > 0) unknownTopUpsApplied += 1
  }
  const count = (outcome: Attempt['outcome']) =>
    attempts.filter((attempt) => attempt.outcome === outcome).length
  const figures = {
    topUpsAnswered: count('ok'),
    topUpsRefused: count('rejected'),
    topUpsUnknown: count('unknown'),
    unknownTopUpsApplied,
  }
  const detail =
    `${figures.topUpsAnswered} answered 200, each once in the ledger; ${figures.topUpsRefused} refused, none applied; ` +
    `${figures.topUpsUnknown} unanswered, of which ${unknownTopUpsApplied} were applied`
  return {
    check: check(
      'every top-up is in the ledger at most once, and exactly once when answered 200',
      problems,
      detail,
    ),
    figures,
  }
}

function apiAgrees(snapshot: Snapshot, load: LoadResult, api: ApiView): Check {
  const problems = [...api.unreadable]
  const byUser = groupBy(snapshot.orders, (order) => order.userId)
  for (const user of load.users) {
    const listed = api.orders.get(user.id)
    const balance = api.balances.get(user.id)
    if (!listed || balance === undefined) continue
    const stored = byUser.get(user.id) ?? []
    if (listed.size !== stored.length)
      problems.push(`${user.id}: GET /orders lists ${listed.size}, the database has ${stored.length}`)
    for (const order of stored) {
      if (listed.get(order.id) !== order.status) {
        problems.push(
          `${user.id}: order ${order.id} is ${order.status}, GET /orders says ${listed.get(order.id)}`,
        )
      }
    }
    if (balance !== snapshot.balances.get(user.id)) {
      problems.push(
        `${user.id}: GET /accounts/balance says ${balance}, the database ${snapshot.balances.get(user.id)}`,
      )
    }
  }
  const detail = `GET /orders and GET /accounts/balance of all ${load.users.length} users match the databases`
  return check('the API tells every user what the databases hold', problems, detail)
}
