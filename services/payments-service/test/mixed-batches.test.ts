import { randomUUID } from 'node:crypto'
import { OrderCancelled, OrderCreated } from '@shop/contracts'
import { inTransaction } from '@shop/platform'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openAccount } from '../src/domain/accounts.ts'
import { type ConsumerHarness, payloadsOf, startConsumerHarness } from './support/consumer-harness.ts'
import { ledgerSumMinor, storedBalanceMinor } from './support/stored.ts'

let harness: ConsumerHarness

beforeAll(async () => {
  harness = await startConsumerHarness()
})
afterAll(async () => {
  await harness?.close()
})

describe('a batch of orders with a cancellation among them', () => {
  it('when a cancellation comes between two orders that the balance covers only one at a time, then the events apply in order and both are paid', async () => {
    const userId = randomUUID()
    await inTransaction(harness.db.pool, (tx) => openAccount(tx, userId, 300))
    const fields = (orderId: string) => ({ order_id: orderId, user_id: userId, amount_minor: 300 })
    const [first, second] = [randomUUID(), randomUUID()]

    // Charged set-wise before the cancellation's credit, the second order would find no money.
    await harness.publishTogether('one-partition', [
      OrderCreated.encode(OrderCreated.create(fields(first))),
      OrderCancelled.encode(OrderCancelled.create({ ...fields(first), reason: 'cancelled_by_customer' })),
      OrderCreated.encode(OrderCreated.create(fields(second))),
    ])

    const announced = await harness.awaitAnnounced(second, 1)
    expect(payloadsOf(announced)).toEqual([{ ...fields(second), status: 'SUCCESS' }])
    expect(payloadsOf(await harness.announcedFor(first))).toEqual([{ ...fields(first), status: 'SUCCESS' }])
    expect(await storedBalanceMinor(harness.db.pool, userId)).toBe(0)
    expect(await ledgerSumMinor(harness.db.pool, userId)).toBe(0)
  })
})
