/**
 * The invariants the issues name, judged on the data alone: every order final and every refund
 * settled in time; per user, opening + top-ups − charges + refunds = balance, and no balance ever
 * below zero; exactly one charge per paid order and none kept for a cancelled one; the refunds of
 * an order within its charge, each credited exactly once; every outbox row published and in the
 * transport; every event's effect applied once; no dead letters. And, against the public API, the
 * statement equals the ledger.
 */
import type { TopicAudit } from './audit.ts'
import { type Check, check, groupBy, sum } from './check.ts'
import type { LoadResult } from './load-driver.ts'
import type { RetentionName, TransportName } from './options.ts'
import type { Settlement } from './settle.ts'
import type { ApiView, RefundRow, Snapshot } from './snapshot.ts'
import type { TrimmedCounts } from './trim-archive.ts'
import { seconds } from './util.ts'

export interface InvariantInput {
  snapshot: Snapshot
  load: LoadResult
  settlement: Settlement
  settleLimitMs: number
  audit: TopicAudit[]
  topics: { orders: string; payments: string }
  /** Which retention the services ran with, and what it deleted; runs that do not say trimmed nothing. */
  retention?: { name: RetentionName; transport: TransportName; trimmed: TrimmedCounts }
}

export function checkInvariants(input: InvariantInput): Check[] {
  return [
    settledInTime(input),
    moneyAddsUp(input),
    neverNegative(input),
    oneChargePerFinishedOrder(input),
    customerCancelledKeepNoMoney(input),
    refundsWithinCharge(input),
    everyRefundCreditedOnce(input),
    outboxesPublished(input),
    eachEventAppliedOnce(input),
    noDeadLetters(input),
    ...(input.retention?.name === 'aggressive' ? [retentionTrimmed(input.retention)] : []),
  ]
}

function settledInTime({ snapshot, settlement, settleLimitMs }: InvariantInput): Check {
  const stillNew = snapshot.orders.filter((order) => order.status === 'NEW')
  const pending = snapshot.refunds.orders.filter((refund) => refund.status === 'PENDING')
  const problems = [
    ...stillNew.map((order) => `order ${order.id} is still NEW`),
    ...pending.map((refund) => `refund ${refund.id} is still PENDING`),
  ]
  if (settlement.settledMs === undefined || settlement.settledMs > settleLimitMs) {
    problems.unshift(`not every order was final within ${seconds(settleLimitMs)} s of the last fault`)
  }
  const detail =
    settlement.settledMs === undefined
      ? `${stillNew.length} orders still NEW, ${pending.length} refunds PENDING`
      : `all ${snapshot.orders.length} orders and ${snapshot.refunds.orders.length} refunds final ${seconds(settlement.settledMs)} s after the last fault (limit ${seconds(settleLimitMs)} s)`
  return check(
    `every order leaves NEW and every refund PENDING within ${seconds(settleLimitMs)} s of the last fault`,
    problems,
    detail,
  )
}

function moneyAddsUp({ snapshot, load }: InvariantInput): Check {
  const problems: string[] = []
  const ledger = groupBy(snapshot.ledger, (entry) => entry.userId)
  const paid = groupBy(snapshot.orders.filter(wasPaid), (order) => order.userId)
  const refundedToCustomers = groupBy(
    snapshot.refunds.orders.filter((refund) => refund.status === 'SUCCEEDED'),
    (refund) => refund.userId,
  )
  for (const user of load.users) {
    const entries = ledger.get(user.id) ?? []
    const of = (kind: string) =>
      sum(entries.filter((entry) => entry.kind === kind).map((entry) => entry.amountMinor))
    const openings = entries.filter((entry) => entry.kind === 'opening')
    const spent = sum((paid.get(user.id) ?? []).map((order) => order.amountMinor))
    const givenBack = sum((refundedToCustomers.get(user.id) ?? []).map((refund) => refund.amountMinor))
    const balance = snapshot.balances.get(user.id)
    const expected = of('opening') + of('top_up') - spent + givenBack
    if (balance !== expected) {
      problems.push(
        `${user.id}: opening ${of('opening')} + top-ups ${of('top_up')} - paid orders ${spent} + refunds ${givenBack} = ${expected}, balance ${balance}`,
      )
    }
    if (balance !== sum(entries.map((entry) => entry.amountMinor)))
      problems.push(`${user.id}: balance ${balance} is not the sum of its ledger`)
    // A customer-cancelled order may have been charged and refunded: charges and refunds of the
    // ledger net out to the paid orders and the refunds customers asked for.
    if (of('charge') + of('refund') !== givenBack - spent)
      problems.push(
        `${user.id}: charges ${of('charge')} + refunds ${of('refund')}, but paid ${spent} and refunded ${givenBack}`,
      )
    if (openings.length !== 1 || openings[0]?.amountMinor !== user.initialMinor) {
      problems.push(
        `${user.id}: opening entries ${openings.map((entry) => entry.amountMinor)}, opened with ${user.initialMinor}`,
      )
    }
  }
  const strangers = [...snapshot.balances.keys()].filter((id) => !load.users.some((user) => user.id === id))
  for (const id of strangers) problems.push(`account ${id} was not opened by the driver`)
  const detail = `${load.users.length} users: opening + top-ups − paid orders + succeeded refunds = balance = sum of the ledger (opening + top-ups − charges + refunds)`
  return check('per user: opening + top-ups − charges + refunds = balance', problems, detail)
}

function neverNegative({ snapshot, load }: InvariantInput): Check {
  const problems: string[] = []
  for (const [userId, balance] of snapshot.balances)
    if (balance < 0) problems.push(`${userId}: balance ${balance}`)
  // Per user the ledger's id order is the order the balance changed in, so its running sum is the
  // balance's whole history.
  const running = new Map<string, number>()
  let lowest = Number.POSITIVE_INFINITY
  for (const entry of snapshot.ledger) {
    const after = (running.get(entry.userId) ?? 0) + entry.amountMinor
    running.set(entry.userId, after)
    lowest = Math.min(lowest, after)
    if (after < 0) problems.push(`${entry.userId}: balance ${after} after ledger entry ${entry.id}`)
  }
  problems.push(...load.negativeBalances.map((read) => `read during the run: ${read}`))
  const detail = `lowest balance in ${snapshot.ledger.length} ledger steps: ${lowest}; ${load.balanceReads} balances read during the run, none negative`
  return check('no balance is ever negative', problems, detail)
}

function oneChargePerFinishedOrder({ snapshot }: InvariantInput): Check {
  const problems: string[] = []
  const charges = groupBy(
    snapshot.ledger.filter((entry) => entry.kind === 'charge'),
    (entry) => entry.orderId ?? '',
  )
  const payments = new Map(snapshot.payments.map((payment) => [payment.orderId, payment]))
  const orders = new Map(snapshot.orders.map((order) => [order.id, order]))
  for (const order of snapshot.orders) {
    const charged = charges.get(order.id) ?? []
    const payment = payments.get(order.id)
    if (wasPaid(order)) {
      if (charged.length !== 1)
        problems.push(`${order.status} order ${order.id} has ${charged.length} charges`)
      else if (charged[0]?.amountMinor !== -order.amountMinor || charged[0]?.userId !== order.userId) {
        problems.push(
          `FINISHED order ${order.id} charged ${charged[0]?.amountMinor} to ${charged[0]?.userId}`,
        )
      }
      if (payment?.status !== 'SUCCESS')
        problems.push(`FINISHED order ${order.id} has payment ${payment?.status}`)
    }
    if (order.status === 'CANCELLED' && order.reason !== CANCELLED_BY_CUSTOMER) {
      if (charged.length > 0) problems.push(`CANCELLED order ${order.id} has ${charged.length} charges`)
      if (payment?.status !== 'FAIL' || payment.reason !== order.reason) {
        problems.push(
          `CANCELLED order ${order.id} (${order.reason}) has payment ${payment?.status} (${payment?.reason})`,
        )
      }
    }
    if (payment && (payment.amountMinor !== order.amountMinor || payment.userId !== order.userId)) {
      problems.push(`payment of order ${order.id} is for ${payment.amountMinor} by ${payment.userId}`)
    }
  }
  for (const orderId of charges.keys())
    if (!orders.has(orderId)) problems.push(`charge for unknown order ${orderId}`)
  for (const orderId of payments.keys())
    if (!orders.has(orderId)) problems.push(`payment for unknown order ${orderId}`)
  const finished = snapshot.orders.filter(wasPaid).length
  const detail = `${charges.size} orders charged, ${finished} FINISHED or REFUNDED; ${snapshot.payments.length} payments for ${snapshot.orders.length} orders`
  return check(
    'exactly one charge per paid order, none for one cancelled for want of payment',
    problems,
    detail,
  )
}

const CANCELLED_BY_CUSTOMER = 'cancelled_by_customer'

/** An order whose money was taken: FINISHED, or REFUNDED after it. */
const wasPaid = (order: { status: string }) => order.status === 'FINISHED' || order.status === 'REFUNDED'

const refundsByOrder = (refunds: RefundRow[]) =>
  groupBy(
    refunds.filter((refund) => refund.status === 'SUCCEEDED'),
    (refund) => refund.orderId,
  )

function customerCancelledKeepNoMoney({ snapshot }: InvariantInput): Check {
  const problems: string[] = []
  const ledgerOf = groupBy(snapshot.ledger, (entry) => entry.orderId ?? '')
  const cancelled = snapshot.orders.filter(
    (order) => order.status === 'CANCELLED' && order.reason === CANCELLED_BY_CUSTOMER,
  )
  let chargedThenRefunded = 0
  for (const order of cancelled) {
    const entries = ledgerOf.get(order.id) ?? []
    const charges = entries.filter((entry) => entry.kind === 'charge')
    if (charges.length > 1) problems.push(`cancelled order ${order.id} was charged ${charges.length} times`)
    if (charges.length === 1) chargedThenRefunded += 1
    const kept = sum(entries.map((entry) => entry.amountMinor))
    if (kept !== 0) problems.push(`cancelled order ${order.id} keeps ${-kept} of its owner's money`)
  }
  const detail = `${cancelled.length} orders cancelled by their owners, ${chargedThenRefunded} of them charged first and refunded`
  return check('a customer-cancelled order keeps no money', problems, detail)
}

function refundsWithinCharge({ snapshot }: InvariantInput): Check {
  const problems: string[] = []
  const credited = refundsByOrder(snapshot.refunds.payments)
  const asked = groupBy(
    snapshot.refunds.orders.filter((refund) => refund.status !== 'FAILED'),
    (refund) => refund.orderId,
  )
  const charged = new Map(
    snapshot.ledger
      .filter((entry) => entry.kind === 'charge')
      .map((entry) => [entry.orderId, -entry.amountMinor]),
  )
  for (const order of snapshot.orders) {
    const back = sum((credited.get(order.id) ?? []).map((refund) => refund.amountMinor))
    const claimed = sum((asked.get(order.id) ?? []).map((refund) => refund.amountMinor))
    if (back > (charged.get(order.id) ?? 0))
      problems.push(`order ${order.id}: ${back} refunded of a charge of ${charged.get(order.id) ?? 0}`)
    if (claimed > order.amountMinor)
      problems.push(`order ${order.id}: refunds of ${claimed} accepted on ${order.amountMinor}`)
    const succeeded = sum(
      snapshot.refunds.orders
        .filter((refund) => refund.orderId === order.id && refund.status === 'SUCCEEDED')
        .map((refund) => refund.amountMinor),
    )
    if (order.refundedMinor !== succeeded)
      problems.push(
        `order ${order.id}: refunded_amount ${order.refundedMinor}, succeeded refunds ${succeeded}`,
      )
    if (
      (order.status === 'REFUNDED') !==
      (order.refundedMinor === order.amountMinor && order.amountMinor > 0)
    )
      problems.push(
        `order ${order.id} is ${order.status} with ${order.refundedMinor} of ${order.amountMinor} back`,
      )
  }
  const refunded = snapshot.orders.filter((order) => order.status === 'REFUNDED').length
  const detail = `${snapshot.refunds.orders.length} refunds asked for, ${credited.size} orders with money back, ${refunded} REFUNDED`
  return check('the refunds of an order never pass its charge', problems, detail)
}

function everyRefundCreditedOnce({ snapshot }: InvariantInput): Check {
  const problems: string[] = []
  const entriesOf = groupBy(
    snapshot.ledger.filter((entry) => entry.kind === 'refund'),
    (entry) => entry.refundId ?? '',
  )
  const atPayments = new Map(snapshot.refunds.payments.map((refund) => [refund.id, refund]))
  for (const refund of snapshot.refunds.orders) {
    const entries = entriesOf.get(refund.id) ?? []
    const expected = refund.status === 'SUCCEEDED' ? 1 : 0
    if (entries.length !== expected)
      problems.push(`${refund.status} refund ${refund.id} has ${entries.length} ledger entries`)
    else if (expected === 1 && entries[0]?.amountMinor !== refund.amountMinor)
      problems.push(`refund ${refund.id} of ${refund.amountMinor} credited ${entries[0]?.amountMinor}`)
    const there = atPayments.get(refund.id)
    if (refund.status !== 'PENDING' && there?.status !== refund.status)
      problems.push(`refund ${refund.id} is ${refund.status}, payments-service says ${there?.status}`)
  }
  const asked = new Set(snapshot.refunds.orders.map((refund) => refund.id))
  for (const refund of snapshot.refunds.payments) {
    if (refund.cause === 'requested' && !asked.has(refund.id))
      problems.push(`refund ${refund.id} was never asked for`)
    const entries = entriesOf.get(refund.id) ?? []
    if (refund.status === 'SUCCEEDED' && entries.length !== 1)
      problems.push(`refund ${refund.id} (${refund.cause}) has ${entries.length} ledger entries`)
  }
  const detail = `${snapshot.refunds.payments.length} refunds at payments-service, ${sum([...entriesOf.values()].map((each) => each.length))} credits in the ledger`
  return check('every refund is credited exactly once', problems, detail)
}

/** What GET /accounts/statement shows each user is their ledger: same entries, newest first, running balance. */
export function statementsEqualLedger(snapshot: Snapshot, api: ApiView): Check {
  const problems: string[] = []
  const KIND: Record<string, string> = {
    opening: 'opening',
    top_up: 'topup',
    charge: 'charge',
    refund: 'refund',
  }
  const ledgerOf = groupBy(snapshot.ledger, (entry) => entry.userId)
  let compared = 0
  for (const [userId, statement] of api.statements) {
    let running = 0
    const expected = (ledgerOf.get(userId) ?? []).map((entry) => {
      running += entry.amountMinor
      return {
        id: String(entry.id),
        kind: KIND[entry.kind],
        amountMinor: entry.amountMinor,
        balanceAfterMinor: running,
        orderId: entry.orderId ?? undefined,
        refundId: entry.refundId ?? undefined,
      }
    })
    const shown = statement.map((entry) => ({
      id: entry.id,
      kind: entry.kind,
      amountMinor: Math.round(entry.amount * 100),
      balanceAfterMinor: Math.round(entry.balance_after * 100),
      orderId: entry.order_id,
      refundId: entry.refund_id,
    }))
    compared += shown.length
    if (JSON.stringify(shown) !== JSON.stringify(expected.reverse()))
      problems.push(
        `${userId}: the statement (${shown.length} entries) is not the ledger (${expected.length})`,
      )
    if (shown[0] && shown[0].balanceAfterMinor !== snapshot.balances.get(userId))
      problems.push(
        `${userId}: newest balance_after ${shown[0].balanceAfterMinor}, balance ${snapshot.balances.get(userId)}`,
      )
  }
  const detail = `${api.statements.size} statements, ${compared} entries, read page by page through the gateway`
  return check('the statement equals the ledger', problems, detail)
}

function outboxesPublished({ snapshot, audit, topics }: InvariantInput): Check {
  const problems: string[] = []
  for (const [service, rows] of Object.entries(snapshot.outbox)) {
    const unpublished = rows.filter((row) => !row.published)
    if (unpublished.length > 0)
      problems.push(`${service}: ${unpublished.length} outbox rows not marked published`)
  }
  for (const topic of audit) {
    if (!topic.complete) problems.push(`topic ${topic.topic} could not be read to its end`)
    for (const id of topic.missing) problems.push(`event ${id} of the outbox is not in topic ${topic.topic}`)
  }
  const published = (rows: { published: boolean }[]) =>
    `${rows.filter((row) => row.published).length}/${rows.length}`
  const detail =
    `orders ${published(snapshot.outbox.orders)} and payments ${published(snapshot.outbox.payments)} marked published; ` +
    `every one of their events found in ${topics.orders} / ${topics.payments}`
  return check('every outbox row was published', problems, detail)
}

function eachEventAppliedOnce({ snapshot }: InvariantInput): Check {
  const problems: string[] = []
  const compare = (name: string, sent: string[], received: string[]) => {
    const inbox = new Set(received)
    const outbox = new Set(sent)
    for (const id of outbox) if (!inbox.has(id)) problems.push(`${name}: event ${id} never applied`)
    for (const id of inbox)
      if (!outbox.has(id)) problems.push(`${name}: inbox holds ${id}, which no outbox sent`)
  }
  compare(
    'payments-service',
    snapshot.outbox.orders.map((row) => row.eventId),
    snapshot.inbox.payments,
  )
  compare(
    'orders-service',
    snapshot.outbox.payments.map((row) => row.eventId),
    snapshot.inbox.orders,
  )
  const results = snapshot.outbox.payments.filter((row) => row.type === 'payment_finished').length
  if (results !== snapshot.orders.length) {
    problems.push(`${results} payment results for ${snapshot.orders.length} orders`)
  }
  // An id recorded twice is a redelivery that came after retention trimmed its first inbox row:
  // the business keys absorbed it, which the money checks prove; here it is only counted.
  const again = (ids: string[]) => ids.length - new Set(ids).size
  const detail =
    `${new Set(snapshot.inbox.payments).size} events of orders-service and ${new Set(snapshot.inbox.orders).size} of payments-service, each in its consumer's inbox` +
    `; recorded again after a trim: ${again(snapshot.inbox.payments)} and ${again(snapshot.inbox.orders)}`
  return check('every event was applied exactly once (inbox = outbox)', problems, detail)
}

function noDeadLetters({ snapshot }: InvariantInput): Check {
  const { orders, payments } = snapshot.deadLetters
  const problems = orders + payments > 0 ? [`dead letters: orders ${orders}, payments ${payments}`] : []
  return check('no dead letters', problems, `orders ${orders}, payments ${payments}`)
}

/** Aggressive retention must have deleted history on every table it trims, or the run proved nothing about it. */
function retentionTrimmed({ trimmed, transport }: NonNullable<InvariantInput['retention']>): Check {
  // On Kafka the broker keeps the log: the services trim only their own tables.
  const tables = Object.entries(trimmed).filter(([name]) => name !== 'log' || transport === 'embedded')
  const problems = tables.filter(([, rows]) => rows === 0).map(([name]) => `${name}: nothing trimmed`)
  const detail = Object.entries(trimmed)
    .map(([name, rows]) => `${name} ${rows}`)
    .join(', ')
  return check('retention trimmed outbox, inbox and log rows while the faults ran', problems, detail)
}
