import { randomUUID } from 'node:crypto'
import { OrderCreated } from '@shop/contracts'
import { inTransaction } from '@shop/platform'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { trimFromInbox } from '../../../packages/platform/test/fixtures/expire-inbox.ts'
import { eventually } from '../../../tests/support/eventually.ts'
import { openAccount, topUp } from '../src/domain/accounts.ts'
import { type ConsumerHarness, payloadsOf, startConsumerHarness } from './support/consumer-harness.ts'
import { storedBalanceMinor, storedLedger, storedPayments } from './support/stored.ts'

let harness: ConsumerHarness

beforeAll(async () => {
  harness = await startConsumerHarness()
})

afterAll(async () => {
  await harness?.close()
})

const orderFor = (userId: string, amountMinor: number) =>
  OrderCreated.create({ order_id: randomUUID(), user_id: userId, amount_minor: amountMinor })

const chargesOf = async (userId: string) =>
  (await storedLedger(harness.db.pool, userId)).filter((entry) => entry.kind === 'charge')

/** One payment for the order, one charge in the ledger, and the balance it left. */
async function expectChargedOnce(userId: string, orderId: string, balanceMinor: number) {
  expect(await storedPayments(harness.db.pool, orderId)).toHaveLength(1)
  expect(await storedBalanceMinor(harness.db.pool, userId)).toBe(balanceMinor)
  expect(await chargesOf(userId)).toHaveLength(1)
}

async function deadLettersWith(value: string) {
  const { rows } = await harness.db.pool.query<{ consumer: string; topic: string; error: string }>(
    'SELECT consumer, topic, error FROM dead_letters WHERE value = $1',
    [value],
  )
  return rows
}

describe('order_created redelivery', () => {
  it('when the same message is delivered twice, then the inbox skips the second and the order is charged once', async () => {
    const userId = randomUUID()
    await inTransaction(harness.db.pool, (tx) => openAccount(tx, userId, 10_000))
    const order = orderFor(userId, 3_000)
    const duplicatesBefore = harness.consumer.stats.duplicates

    await harness.publishEvent(order)
    await harness.publishEvent(order)
    await eventually(
      async () => harness.consumer.stats.duplicates,
      (duplicates) => duplicates === duplicatesBefore + 1,
    )

    expect(await harness.announcedFor(order.payload.order_id)).toHaveLength(1)
    expect(await storedBalanceMinor(harness.db.pool, userId)).toBe(7_000)
    expect(await chargesOf(userId)).toHaveLength(1)
  })

  it('when the same message comes again after retention deleted its inbox row, then the order is still charged once', async () => {
    // The inbox forgets after INBOX_RETENTION; one payment per order is what holds then.
    const userId = randomUUID()
    await inTransaction(harness.db.pool, (tx) => openAccount(tx, userId, 10_000))
    const order = orderFor(userId, 3_000)
    await harness.publishEvent(order)
    await harness.awaitAnnounced(order.payload.order_id, 1)
    expect(await trimFromInbox(harness.db.pool, [order.event_id])).toBe(1)
    const handledBefore = harness.consumer.stats.handled

    await harness.publishEvent(order)
    const announced = await harness.awaitAnnounced(order.payload.order_id, 2)

    expect(harness.consumer.stats.handled).toBe(handledBefore + 1)
    expect(payloadsOf(announced)).toEqual([
      { ...order.payload, status: 'SUCCESS' },
      { ...order.payload, status: 'SUCCESS' },
    ])
    await expectChargedOnce(userId, order.payload.order_id, 7_000)
  })

  it('when the same order comes again as another event, then it is not charged again and the outcome is announced again identically', async () => {
    const userId = randomUUID()
    await inTransaction(harness.db.pool, (tx) => openAccount(tx, userId, 10_000))
    const first = orderFor(userId, 3_000)
    const again = OrderCreated.create(first.payload)

    await harness.publishEvent(first)
    await harness.publishEvent(again)
    const announced = await harness.awaitAnnounced(first.payload.order_id, 2)

    expect(payloadsOf(announced)).toEqual([
      { ...first.payload, status: 'SUCCESS' },
      { ...first.payload, status: 'SUCCESS' },
    ])
    await expectChargedOnce(userId, first.payload.order_id, 7_000)
  })

  it('when an order that failed for lack of funds comes again after a top-up, then it still fails and is not charged', async () => {
    // A payment's outcome is final: orders-service has cancelled the order on the first FAIL.
    const userId = randomUUID()
    await inTransaction(harness.db.pool, (tx) => openAccount(tx, userId, 100))
    const first = orderFor(userId, 500)
    await harness.publishEvent(first)
    await harness.awaitAnnounced(first.payload.order_id, 1)
    await inTransaction(harness.db.pool, (tx) => topUp(tx, userId, 1_000))

    await harness.publishEvent(OrderCreated.create(first.payload))
    const announced = await harness.awaitAnnounced(first.payload.order_id, 2)

    expect(payloadsOf(announced).map((payload) => payload.status)).toEqual(['FAIL', 'FAIL'])
    expect(await storedBalanceMinor(harness.db.pool, userId)).toBe(1_100)
  })

  it('when the same order comes again with upper-case ids, then it is not charged again and the same outcome is announced', async () => {
    // The contract's uuid format accepts either case; case must not turn a redelivery into a conflict.
    const userId = randomUUID()
    await inTransaction(harness.db.pool, (tx) => openAccount(tx, userId, 10_000))
    const first = orderFor(userId, 1_000)
    const shouted = OrderCreated.create({
      ...first.payload,
      order_id: first.payload.order_id.toUpperCase(),
      user_id: userId.toUpperCase(),
    })

    await harness.publishEvent(first)
    await harness.publishEvent(shouted)
    const announced = await harness.awaitAnnounced(first.payload.order_id, 2)

    expect(payloadsOf(announced)).toEqual([
      { ...first.payload, status: 'SUCCESS' },
      { ...first.payload, status: 'SUCCESS' },
    ])
    expect(await storedBalanceMinor(harness.db.pool, userId)).toBe(9_000)
    // One key for both announcements keeps them on one partition, in order.
    const { rows } = await harness.db.pool.query(
      'SELECT message_key FROM outbox WHERE lower(message_key) = $1',
      [first.payload.order_id],
    )
    expect(rows).toEqual([{ message_key: first.payload.order_id }, { message_key: first.payload.order_id }])
  })

  it.each([
    ['not JSON', () => 'this is not json {', /^not JSON/],
    ['a wrong version', () => JSON.stringify({ ...orderFor(randomUUID(), 100), version: 2 }), /\/version/],
    [
      'a broken payload',
      () => JSON.stringify({ ...orderFor(randomUUID(), 1), payload: { order_id: 'x' } }),
      /\/payload/,
    ],
  ])(
    'when a message is %s, then it becomes a dead letter and the next message is still processed',
    async (_, makeValue, reason) => {
      const userId = randomUUID()
      await inTransaction(harness.db.pool, (tx) => openAccount(tx, userId, 10_000))
      const poison = makeValue()
      const next = orderFor(userId, 100)
      const deadBefore = harness.consumer.stats.deadLettered

      // One key puts both on one partition, so the valid message waits behind the poison one.
      await harness.publish(next.payload.order_id, poison)
      await harness.publish(next.payload.order_id, OrderCreated.encode(next))
      const announced = await harness.awaitAnnounced(next.payload.order_id, 1)

      expect(payloadsOf(announced)).toEqual([{ ...next.payload, status: 'SUCCESS' }])
      expect(await deadLettersWith(poison)).toEqual([
        {
          consumer: 'payments.order_created',
          topic: harness.config.ORDERS_TOPIC,
          error: expect.stringMatching(reason),
        },
      ])
      expect(harness.consumer.stats.deadLettered).toBe(deadBefore + 1)
    },
  )
})
