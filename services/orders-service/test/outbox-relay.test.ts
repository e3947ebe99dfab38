import { randomUUID } from 'node:crypto'
import { OrderCreated } from '@shop/contracts'
import { type DeliveredMessage, OutboxRelay, type Subscription, type Transport } from '@shop/platform'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEmbeddedTransport } from '../../../packages/platform/src/transport/embedded/embedded-transport.ts'
import { eventually } from '../../../tests/support/eventually.ts'
import { testLogger } from '../../../tests/support/logger.ts'
import {
  ORDERS_SCHEMA,
  type OrdersHarness,
  outboxRowsFor,
  startOrdersHarness,
} from './support/orders-harness.ts'

let harness: OrdersHarness
let transport: Transport
let relay: OutboxRelay
let subscription: Subscription
const received: DeliveredMessage[] = []

beforeAll(async () => {
  harness = await startOrdersHarness()
  transport = await createEmbeddedTransport({
    connectionString: harness.db.url,
    partitions: 3,
    logger: testLogger,
    idlePollMs: 100,
  })
  // Stands in for payments-service: a group subscribed to the orders topic sees what the relay publishes.
  subscription = await transport.subscribe({
    topic: harness.ordersTopic,
    group: 'payments-test',
    handleBatch: async (messages) => {
      received.push(...messages)
    },
  })
  relay = new OutboxRelay({
    pool: harness.pool,
    connectionString: harness.db.url,
    schema: ORDERS_SCHEMA,
    transport,
    logger: testLogger,
    idlePollMs: 100,
  })
})

let relayStarted = false
/** Started by the tests, not beforeAll, so the first one can show that rows written earlier go out too. */
function ensureRelayStarted(): void {
  if (!relayStarted) relay.start()
  relayStarted = true
}

afterAll(async () => {
  if (relayStarted) await relay.stop()
  await subscription?.close()
  await transport?.close()
  await harness?.close()
})

describe('outbox relay of orders-service', () => {
  it('when an order was placed before the relay started, then its event reaches the transport and the row is marked published', async () => {
    const userId = randomUUID()
    const orderId = await harness.placeOrder(userId, 42.1)
    expect((await outboxRowsFor(harness.pool, orderId))[0]?.published_at).toBeNull()

    ensureRelayStarted()

    const [message] = await eventually(
      async () => received.filter((candidate) => candidate.key === orderId),
      (messages) => messages.length > 0,
    )
    expect(message?.topic).toBe(harness.ordersTopic)
    const decoded = OrderCreated.decode(message?.value ?? '')
    expect(decoded.ok).toBe(true)
    if (!decoded.ok) return
    expect(decoded.event.payload).toEqual({ order_id: orderId, user_id: userId, amount_minor: 4210 })

    // Marked only after the transport accepted it, so the row is published by the time it was delivered.
    const rows = await eventually(
      () => outboxRowsFor(harness.pool, orderId),
      (found) => found.every((row) => row.published_at !== null),
    )
    expect(rows).toHaveLength(1)
  })

  it('when several orders are placed while the relay runs, then each is published exactly once', async () => {
    ensureRelayStarted()
    const userId = randomUUID()
    const orderIds = [
      await harness.placeOrder(userId, 1),
      await harness.placeOrder(userId, 2),
      await harness.placeOrder(userId, 3),
    ]

    await eventually(
      async () => received.filter((message) => orderIds.includes(message.key)).length,
      (count) => count >= orderIds.length,
    )
    // A relay loop that republished marked rows would deliver some of them again.
    await relay.publishBatch()
    const keys = received.filter((message) => orderIds.includes(message.key)).map((message) => message.key)
    expect(keys.sort()).toEqual([...orderIds].sort())
    const { rows } = await harness.pool.query(
      'SELECT count(*)::int AS unpublished FROM outbox WHERE published_at IS NULL',
    )
    expect(rows[0]).toEqual({ unpublished: 0 })
  })
})
