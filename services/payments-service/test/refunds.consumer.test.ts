import { randomUUID } from 'node:crypto'
import { OrderCancelled, OrderCreated, RefundRequested } from '@shop/contracts'
import { inTransaction } from '@shop/platform'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { trimFromInbox } from '../../../packages/platform/test/fixtures/expire-inbox.ts'
import { eventually } from '../../../tests/support/eventually.ts'
import { openAccount } from '../src/domain/accounts.ts'
import { type ConsumerHarness, payloadsOf, startConsumerHarness } from './support/consumer-harness.ts'
import { storedBalanceMinor, storedLedger, storedPayments } from './support/stored.ts'

let harness: ConsumerHarness

beforeAll(async () => {
  harness = await startConsumerHarness()
})

afterAll(async () => {
  await harness?.close()
})

/** An order as orders-service announces it, and the events that may follow it, all keyed by its id. */
function orderOf(userId: string, amountMinor: number) {
  const fields = { order_id: randomUUID(), user_id: userId, amount_minor: amountMinor }
  return {
    id: fields.order_id,
    created: OrderCreated.create(fields),
    cancelled: () => OrderCancelled.create({ ...fields, reason: 'cancelled_by_customer' }),
    refund: (amount: number, refundId: string = randomUUID()) =>
      RefundRequested.create({ ...fields, refund_id: refundId, amount_minor: amount }),
  }
}

type Published = { event_id: string; payload: { order_id: string } }
const send = (...events: Published[]) =>
  Promise.all(events.map((event) => harness.publish(event.payload.order_id, JSON.stringify(event))))

/** The inbox row commits with the effect: once every id is there, every effect is too. */
const handled = (...events: Published[]) =>
  eventually(
    async () =>
      (
        await harness.db.pool.query('SELECT 1 FROM inbox WHERE message_id = ANY($1)', [
          events.map((event) => event.event_id),
        ])
      ).rowCount,
    (count) => count === events.length,
  )

const refundsOf = async (userId: string) =>
  (await storedLedger(harness.db.pool, userId)).filter((entry) => entry.kind === 'refund')

async function givenUser(balanceMinor: number) {
  const userId = randomUUID()
  await inTransaction(harness.db.pool, (tx) => openAccount(tx, userId, balanceMinor))
  return userId
}

/** An order charged through its order_created, as the consumer charges it. */
async function givenChargedOrder(userId: string, amountMinor: number) {
  const order = orderOf(userId, amountMinor)
  await harness.publishEvent(order.created)
  await harness.awaitAnnounced(order.id, 1)
  return order
}

describe('order_cancelled', () => {
  it('when the order was charged before the cancellation arrived, then the charge is refunded by itself: net zero', async () => {
    const userId = await givenUser(10_000)
    const order = await givenChargedOrder(userId, 3_000)
    const cancelled = order.cancelled()

    await send(cancelled)
    await handled(cancelled)

    expect(await storedBalanceMinor(harness.db.pool, userId)).toBe(10_000)
    expect(await refundsOf(userId)).toEqual([{ kind: 'refund', amount_minor: 3_000, order_id: order.id }])
    // Nothing more is announced: the order is CANCELLED already on the orders side.
    expect(await harness.announcedFor(order.id)).toHaveLength(1)
    expect(await harness.refundsAnnouncedFor(order.id)).toEqual([])
  })

  it('when the cancellation comes again, under its own id or a new one, and after the inbox forgot it, then the charge is refunded once', async () => {
    const userId = await givenUser(10_000)
    const order = await givenChargedOrder(userId, 3_000)
    const cancelled = order.cancelled()
    const duplicatesBefore = harness.consumer.stats.duplicates

    await send(cancelled, cancelled)
    await eventually(
      async () => harness.consumer.stats.duplicates,
      (duplicates) => duplicates === duplicatesBefore + 1,
    )
    const another = order.cancelled()
    await send(another)
    await handled(another)
    await trimFromInbox(harness.db.pool, [cancelled.event_id])
    await send(cancelled)
    await handled(cancelled)

    expect(await storedBalanceMinor(harness.db.pool, userId)).toBe(10_000)
    expect(await refundsOf(userId)).toHaveLength(1)
  })

  it('when the cancellation arrives before the order was charged, then its order_created charges nothing later', async () => {
    const userId = await givenUser(10_000)
    const order = orderOf(userId, 3_000)
    const cancelled = order.cancelled()

    await send(cancelled)
    await handled(cancelled)
    await harness.publishEvent(order.created)
    const [announced] = await harness.awaitAnnounced(order.id, 1)

    expect(announced?.payload).toMatchObject({ status: 'FAIL', reason: 'order_cancelled' })
    expect(await storedBalanceMinor(harness.db.pool, userId)).toBe(10_000)
    expect(await storedLedger(harness.db.pool, userId)).toHaveLength(1)
  })

  it('when the order was never paid, then nothing is refunded', async () => {
    const userId = await givenUser(1_000)
    const order = await givenChargedOrder(userId, 3_000)
    const cancelled = order.cancelled()

    await send(cancelled)
    await handled(cancelled)

    expect(payloadsOf(await harness.announcedFor(order.id))).toMatchObject([{ status: 'FAIL' }])
    expect(await storedBalanceMinor(harness.db.pool, userId)).toBe(1_000)
    expect(await refundsOf(userId)).toEqual([])
  })

  it('when one order is created and cancelled together, again and again, then its money always comes back exactly once', async () => {
    const userId = await givenUser(50_000)
    const orders = Array.from({ length: 10 }, () => orderOf(userId, 1_000))
    const cancellations = orders.map((order) => order.cancelled())

    // Each order's two events share a key, so they are consumed in this order; the orders interleave.
    await Promise.all(
      orders.map(async (order, index) => {
        await harness.publish(order.id, OrderCreated.encode(order.created))
        await harness.publish(order.id, OrderCancelled.encode(cancellations[index] as OrderCancelled))
      }),
    )
    await handled(...cancellations)

    expect(await storedBalanceMinor(harness.db.pool, userId)).toBe(50_000)
    expect(await refundsOf(userId)).toHaveLength(10)
  })
})

describe('refund_requested', () => {
  it('when a refund of a charged order is asked for, then the account is credited once and refund_finished SUCCEEDED is announced', async () => {
    const userId = await givenUser(10_000)
    const order = await givenChargedOrder(userId, 3_000)
    const refund = order.refund(1_000)

    await send(refund)
    const [announced] = await harness.awaitRefundsAnnounced(order.id, 1)

    expect(announced?.payload).toEqual({ ...refund.payload, status: 'SUCCEEDED' })
    expect(await storedBalanceMinor(harness.db.pool, userId)).toBe(8_000)
    const [entry] = await refundsOf(userId)
    expect(entry).toEqual({ kind: 'refund', amount_minor: 1_000, order_id: order.id })
  })

  it('when the same refund comes again, as the same message, under a new event id or after the inbox forgot it, then it is credited once and the same outcome announced', async () => {
    const userId = await givenUser(10_000)
    const order = await givenChargedOrder(userId, 3_000)
    const refund = order.refund(1_000)
    const again = order.refund(1_000, refund.payload.refund_id)

    await send(refund, refund)
    await harness.awaitRefundsAnnounced(order.id, 1)
    await send(again)
    await harness.awaitRefundsAnnounced(order.id, 2)
    await trimFromInbox(harness.db.pool, [refund.event_id])
    await send(refund)
    const announced = await harness.awaitRefundsAnnounced(order.id, 3)

    expect(announced.map((event) => event.payload.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED'])
    expect(await storedBalanceMinor(harness.db.pool, userId)).toBe(8_000)
    expect(await refundsOf(userId)).toHaveLength(1)
  })

  it('when refunds would pass the charge, then the one that passes it FAILS with refund_exceeds_payment and credits nothing', async () => {
    const userId = await givenUser(10_000)
    const order = await givenChargedOrder(userId, 3_000)
    const [first, second] = [order.refund(2_000), order.refund(1_500)]

    await send(first)
    await harness.awaitRefundsAnnounced(order.id, 1)
    await send(second)
    const announced = await harness.awaitRefundsAnnounced(order.id, 2)

    expect(announced[1]?.payload).toMatchObject({ status: 'FAILED', reason: 'refund_exceeds_payment' })
    expect(await storedBalanceMinor(harness.db.pool, userId)).toBe(9_000)
  })

  it('when the order was not charged to this user, then the refund FAILS with payment_not_found', async () => {
    const userId = await givenUser(1_000)
    const unpaid = await givenChargedOrder(userId, 3_000)
    const unknown = orderOf(userId, 500)
    const [ofUnpaid, ofUnknown] = [unpaid.refund(3_000), unknown.refund(500)]

    await send(ofUnpaid, ofUnknown)
    const [a] = await harness.awaitRefundsAnnounced(unpaid.id, 1)
    const [b] = await harness.awaitRefundsAnnounced(unknown.id, 1)

    expect([a?.payload, b?.payload]).toMatchObject([
      { status: 'FAILED', reason: 'payment_not_found' },
      { status: 'FAILED', reason: 'payment_not_found' },
    ])
    expect(await storedBalanceMinor(harness.db.pool, userId)).toBe(1_000)
    expect(await storedPayments(harness.db.pool, unknown.id)).toEqual([])
  })

  it('when twenty refunds of 1.00 of an order of 5.00 arrive at once, then exactly five are credited: +5.00', async () => {
    const userId = await givenUser(500)
    const order = await givenChargedOrder(userId, 500)
    const refunds = Array.from({ length: 20 }, () => order.refund(100))

    await Promise.all(refunds.map((refund) => harness.publish(order.id, RefundRequested.encode(refund))))
    const announced = await harness.awaitRefundsAnnounced(order.id, 20)

    expect(announced.filter((event) => event.payload.status === 'SUCCEEDED')).toHaveLength(5)
    expect(await storedBalanceMinor(harness.db.pool, userId)).toBe(500)
    expect(await refundsOf(userId)).toHaveLength(5)
  })
})
