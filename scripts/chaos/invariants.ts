/**
 * The invariants the issue names, judged on the data alone: every order final in time; per user,
 * opening + top-ups − FINISHED orders = balance, and no balance ever below zero; exactly one charge
 * per FINISHED order and none for a CANCELLED one; every outbox row published and in the transport;
 * every event's effect applied once; no dead letters.
 */
import type { TopicAudit } from './audit.ts'
import { type Check, check, groupBy, sum } from './check.ts'
import type { LoadResult } from './load-driver.ts'
import type { RetentionName, TransportName } from './options.ts'
import type { Settlement } from './settle.ts'
import type { Snapshot } from './snapshot.ts'
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
    outboxesPublished(input),
    eachEventAppliedOnce(input),
    noDeadLetters(input),
    ...(input.retention?.name === 'aggressive' ? [retentionTrimmed(input.retention)] : []),
  ]
}

function settledInTime({ snapshot, settlement, settleLimitMs }: InvariantInput): Check {
  const stillNew = snapshot.orders.filter((order) => order.status === 'NEW')
  const problems = stillNew.map((order) => `order ${order.id} is still NEW`)
  if (settlement.settledMs === undefined || settlement.settledMs > settleLimitMs) {
    problems.unshift(`not every order was final within ${seconds(settleLimitMs)} s of the last fault`)
  }
  const detail =
    settlement.settledMs === undefined
      ? `${stillNew.length} orders still NEW`
      : `all ${snapshot.orders.length} orders final ${seconds(settlement.settledMs)} s after the last fault (limit ${seconds(settleLimitMs)} s)`
  return check(
    `every order is FINISHED or CANCELLED within ${seconds(settleLimitMs)} s of the last fault`,
    problems,
    detail,
  )
}

function moneyAddsUp({ snapshot, load }: InvariantInput): Check {
  const problems: string[] = []
  const ledger = groupBy(snapshot.ledger, (entry) => entry.userId)
  const finished = groupBy(
    snapshot.orders.filter((order) => order.status === 'FINISHED'),
    (order) => order.userId,
  )
  for (const user of load.users) {
    const entries = ledger.get(user.id) ?? []
    const of = (kind: string) =>
      sum(entries.filter((entry) => entry.kind === kind).map((entry) => entry.amountMinor))
    const openings = entries.filter((entry) => entry.kind === 'opening')
    const spent = sum((finished.get(user.id) ?? []).map((order) => order.amountMinor))
    const balance = snapshot.balances.get(user.id)
    const expected = of('opening') + of('top_up') - spent
    if (balance !== expected) {
      problems.push(
        `${user.id}: opening ${of('opening')} + top-ups ${of('top_up')} - finished ${spent} = ${expected}, balance ${balance}`,
      )
    }
    if (balance !== sum(entries.map((entry) => entry.amountMinor)))
      problems.push(`${user.id}: balance ${balance} is not the sum of its ledger`)
    if (of('charge') !== -spent)
      problems.push(`${user.id}: charges ${of('charge')} but FINISHED orders ${spent}`)
    if (openings.length !== 1 || openings[0]?.amountMinor !== user.initialMinor) {
      problems.push(
        `${user.id}: opening entries ${openings.map((entry) => entry.amountMinor)}, opened with ${user.initialMinor}`,
      )
    }
  }
  const strangers = [...snapshot.balances.keys()].filter((id) => !load.users.some((user) => user.id === id))
  for (const id of strangers) problems.push(`account ${id} was not opened by the driver`)
  const detail = `${load.users.length} users: opening + ledger top-ups − FINISHED orders = balance = sum of the ledger; charges = −FINISHED`
  return check('per user: initial balance + top-ups − FINISHED orders = balance', problems, detail)
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
    if (order.status === 'FINISHED') {
      if (charged.length !== 1) problems.push(`FINISHED order ${order.id} has ${charged.length} charges`)
      else if (charged[0]?.amountMinor !== -order.amountMinor || charged[0]?.userId !== order.userId) {
        problems.push(
          `FINISHED order ${order.id} charged ${charged[0]?.amountMinor} to ${charged[0]?.userId}`,
        )
      }
      if (payment?.status !== 'SUCCESS')
        problems.push(`FINISHED order ${order.id} has payment ${payment?.status}`)
    }
    if (order.status === 'CANCELLED') {
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
  const finished = snapshot.orders.filter((order) => order.status === 'FINISHED').length
  const detail = `${charges.size} orders charged, ${finished} FINISHED; ${snapshot.payments.length} payments for ${snapshot.orders.length} orders`
  return check('exactly one charge per FINISHED order, none for a CANCELLED one', problems, detail)
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
  if (snapshot.outbox.payments.length !== snapshot.orders.length) {
    problems.push(`${snapshot.outbox.payments.length} payment results for ${snapshot.orders.length} orders`)
  }
  // An id recorded twice is a redelivery that came after retention trimmed its first inbox row:
  // the business keys absorbed it, which the money checks prove; here it is only counted.
  const again = (ids: string[]) => ids.length - new Set(ids).size
  const detail =
    `${new Set(snapshot.inbox.payments).size} order_created and ${new Set(snapshot.inbox.orders).size} payment_finished events, each in its consumer's inbox` +
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
