import { randomUUID } from 'node:crypto'
import { OrderCancelled, OrderCreated } from '@shop/contracts'
import {
  autocommit,
  type EventConsumer,
  inTransaction,
  listDeadLetters,
  replayDeadLetters,
  startEventConsumer,
  type Transport,
} from '@shop/platform'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually } from '../../../tests/support/eventually.ts'
import { testLogger } from '../../../tests/support/logger.ts'
import type { PaymentsConfig } from '../src/config.ts'
import { openAccount } from '../src/domain/accounts.ts'
import { payForOrder } from '../src/domain/pay-for-order.ts'
import { ORDER_CREATED_CONSUMER, startOrderCreatedConsumer } from '../src/messaging/order-created.consumer.ts'
import { createConsumerSetting } from './support/consumer-harness.ts'
import type { PaymentsDatabase } from './support/payments-database.ts'
import { storedBalanceMinor } from './support/stored.ts'

let db: PaymentsDatabase
let transport: Transport
let config: PaymentsConfig

beforeAll(async () => {
  const setting = await createConsumerSetting()
  ;({ db, config, transport } = setting)
})

afterAll(async () => {
  await transport?.close()
  await db?.close()
})

/** payments-service as the release before cancellations ran it: its consumer knew order_created only. */
const startPreviousRelease = (): Promise<EventConsumer> =>
  startEventConsumer({
    name: ORDER_CREATED_CONSUMER,
    pool: db.pool,
    transport,
    topic: config.ORDERS_TOPIC,
    group: config.KAFKA_CONSUMER_GROUP ?? 'payments-service',
    event: OrderCreated,
    handle: (tx, event) => payForOrder(tx, event.payload, config.PAYMENT_RESULTS_TOPIC),
    logger: testLogger,
  })

describe('a rolling upgrade, when a consumer of the previous release meets an event type it does not know', () => {
  it('then it keeps the message as a dead letter and goes on, and once upgraded, the replayed message takes effect once', async () => {
    const userId = randomUUID()
    await inTransaction(db.pool, (tx) => openAccount(tx, userId, 10_000))
    const order = { order_id: randomUUID(), user_id: userId, amount_minor: 3_000 }
    const created = OrderCreated.create(order)
    const cancelled = OrderCancelled.create({ ...order, reason: 'cancelled_by_customer' })
    const later = OrderCreated.create({ ...order, order_id: randomUUID() })
    const old = await startPreviousRelease()

    await transport.publish(config.ORDERS_TOPIC, [
      { key: order.order_id, value: OrderCreated.encode(created) },
      { key: order.order_id, value: OrderCancelled.encode(cancelled) },
    ])
    await transport.publish(config.ORDERS_TOPIC, [
      { key: later.payload.order_id, value: OrderCreated.encode(later) },
    ])
    await eventually(
      async () => old.stats,
      (stats) => stats.handled === 2 && stats.deadLettered === 1,
    )

    // Not lost, not half applied, and the partition was not blocked: the order after it was charged.
    const [letter] = await listDeadLetters(autocommit(db.pool))
    expect(letter?.error).toMatch(/order_created/)
    expect(JSON.parse(letter?.value ?? '{}')).toMatchObject({ type: 'order_cancelled' })
    expect(await storedBalanceMinor(db.pool, userId)).toBe(4_000)
    await old.stop()

    const upgraded = await startOrderCreatedConsumer({ pool: db.pool, transport, config, logger: testLogger })
    try {
      await replayDeadLetters(db.pool, transport, 'all')
      await eventually(
        async () => upgraded.stats.handled,
        (handledCount) => handledCount === 1,
      )
      expect(await storedBalanceMinor(db.pool, userId)).toBe(7_000)

      // A second replay (of the same dead letter, now marked replayed) changes nothing.
      expect(await replayDeadLetters(db.pool, transport, 'all')).toEqual([])
      expect(await listDeadLetters(autocommit(db.pool))).toEqual([])
    } finally {
      await upgraded.stop()
    }
  })
})
