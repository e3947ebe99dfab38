import { randomUUID } from 'node:crypto'
import { OrderCreated } from '@shop/contracts'
import { inTransaction } from '@shop/platform'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
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

const orderFor = (userId: string, amountMinor: number) =>
  OrderCreated.create({ order_id: randomUUID(), user_id: userId, amount_minor: amountMinor })

describe('order_created consumer', () => {
  it('when the account covers the order, then it is charged once and one SUCCESS payment_finished is in the outbox', async () => {
    const userId = randomUUID()
    await inTransaction(harness.db.pool, (tx) => openAccount(tx, userId, 10_000))
    const order = orderFor(userId, 2_550)

    await harness.publishEvent(order)
    const announced = await harness.awaitAnnounced(order.payload.order_id, 1)

    expect(payloadsOf(announced)).toEqual([{ ...order.payload, status: 'SUCCESS' }])
    expect(announced[0]).toMatchObject({ type: 'payment_finished', version: 1 })
    expect(announced[0]?.event_id).not.toBe(order.event_id)
    expect(await storedBalanceMinor(harness.db.pool, userId)).toBe(7_450)
    expect(await storedPayments(harness.db.pool, order.payload.order_id)).toEqual([
      {
        order_id: order.payload.order_id,
        user_id: userId,
        amount_minor: 2_550,
        status: 'SUCCESS',
        reason: null,
      },
    ])
    expect(await storedLedger(harness.db.pool, userId)).toEqual([
      { kind: 'opening', amount_minor: 10_000, order_id: null },
      { kind: 'charge', amount_minor: -2_550, order_id: order.payload.order_id },
    ])
    const { rows: inbox } = await harness.db.pool.query(
      'SELECT consumer, message_id FROM inbox WHERE message_id = $1',
      [order.event_id],
    )
    expect(inbox).toEqual([{ consumer: 'payments.order_created', message_id: order.event_id }])
  })

  it('when the balance does not cover the order, then FAIL insufficient_funds is announced and the balance is unchanged', async () => {
    const userId = randomUUID()
    await inTransaction(harness.db.pool, (tx) => openAccount(tx, userId, 1_000))
    const order = orderFor(userId, 1_001)

    await harness.publishEvent(order)
    const announced = await harness.awaitAnnounced(order.payload.order_id, 1)

    expect(payloadsOf(announced)).toEqual([
      { ...order.payload, status: 'FAIL', reason: 'insufficient_funds' },
    ])
    expect(await storedBalanceMinor(harness.db.pool, userId)).toBe(1_000)
    expect(await storedLedger(harness.db.pool, userId)).toHaveLength(1)
    // The failure is recorded, so a later redelivery cannot charge the order after a top-up.
    expect(await storedPayments(harness.db.pool, order.payload.order_id)).toMatchObject([
      { status: 'FAIL', reason: 'insufficient_funds' },
    ])
  })

  it('when the user has no account, then FAIL account_not_found is announced and no account appears', async () => {
    const userId = randomUUID()
    const order = orderFor(userId, 100)

    await harness.publishEvent(order)
    const announced = await harness.awaitAnnounced(order.payload.order_id, 1)

    expect(payloadsOf(announced)).toEqual([{ ...order.payload, status: 'FAIL', reason: 'account_not_found' }])
    expect(await storedBalanceMinor(harness.db.pool, userId)).toBeUndefined()
  })

  it('when an order id already paid arrives with another amount, then FAIL payment_conflict and nothing more is charged', async () => {
    const userId = randomUUID()
    await inTransaction(harness.db.pool, (tx) => openAccount(tx, userId, 10_000))
    const paid = orderFor(userId, 1_000)
    const conflicting = OrderCreated.create({ ...paid.payload, amount_minor: 2_000 })

    await harness.publishEvent(paid)
    await harness.publishEvent(conflicting)
    const announced = await harness.awaitAnnounced(paid.payload.order_id, 2)

    expect(payloadsOf(announced)).toEqual([
      { ...paid.payload, status: 'SUCCESS' },
      { ...conflicting.payload, status: 'FAIL', reason: 'payment_conflict' },
    ])
    expect(await storedBalanceMinor(harness.db.pool, userId)).toBe(9_000)
    expect(await storedPayments(harness.db.pool, paid.payload.order_id)).toMatchObject([
      { amount_minor: 1_000 },
    ])
  })
})
