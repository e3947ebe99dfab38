import { randomUUID } from 'node:crypto'
import { type PaymentFailureReason, PaymentFinished, RefundFinished } from '@shop/contracts'
import { type EventConsumer, loadConfig, type Transport } from '@shop/platform'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEmbeddedTransport } from '../../../packages/platform/src/transport/embedded/embedded-transport.ts'
import { trimFromInbox } from '../../../packages/platform/test/fixtures/expire-inbox.ts'
import { eventually } from '../../../tests/support/eventually.ts'
import { testLogger } from '../../../tests/support/logger.ts'
import { OrdersConfig } from '../src/config.ts'
import {
  PAYMENT_FINISHED_CONSUMER,
  startPaymentFinishedConsumer,
} from '../src/messaging/payment-finished.consumer.ts'
import { get, givenFinishedOrder, post, refundFinished } from './support/order-steps.ts'
import { type OrdersHarness, startOrdersHarness, uniqueTopic } from './support/orders-harness.ts'

let harness: OrdersHarness
let transport: Transport
let consumer: EventConsumer
let resultsTopic: string

beforeAll(async () => {
  harness = await startOrdersHarness()
  resultsTopic = uniqueTopic('payment_finished')
  // idlePollMs is short so a missed notification costs little; notifications normally wake it at once.
  transport = await createEmbeddedTransport({
    connectionString: harness.db.url,
    partitions: 3,
    logger: testLogger,
    idlePollMs: 100,
  })
  const config = loadConfig(OrdersConfig, {
    DATABASE_URL: harness.db.url,
    PAYMENT_RESULTS_TOPIC: resultsTopic,
    KAFKA_CONSUMER_GROUP: 'orders-test',
  })
  consumer = await startPaymentFinishedConsumer({ pool: harness.pool, transport, config, logger: testLogger })
})

afterAll(async () => {
  await consumer?.stop()
  await transport?.close()
  await harness?.close()
})

type Result = { status: 'SUCCESS' } | { status: 'FAIL'; reason: PaymentFailureReason }

const paymentFinished = (orderId: string, userId: string, result: Result) =>
  PaymentFinished.create({ order_id: orderId, user_id: userId, amount_minor: 1000, ...result })

const encoded = (orderId: string, userId: string, result: Result) =>
  PaymentFinished.encode(paymentFinished(orderId, userId, result))

const validEvent = () => paymentFinished(randomUUID(), randomUUID(), { status: 'SUCCESS' })

/** A well-formed envelope whose payload is patched to break the contract. */
const withPayload = (patch: Record<string, unknown>) => {
  const event = validEvent()
  return JSON.stringify({ ...event, payload: { ...event.payload, ...patch } })
}

/** Publishes raw values under one key: one key means one partition, so they are consumed in this order. */
const publish = (key: string, ...values: string[]) =>
  transport.publish(
    resultsTopic,
    values.map((value) => ({ key, value })),
  )

/** The inbox row commits with the event's effect, so once every id is there, every effect is too. */
const waitInInbox = (...eventIds: string[]) =>
  eventually(
    async () =>
      (
        await harness.pool.query('SELECT 1 FROM inbox WHERE consumer = $1 AND message_id = ANY($2)', [
          PAYMENT_FINISHED_CONSUMER,
          eventIds,
        ])
      ).rowCount,
    (count) => count === eventIds.length,
  )

describe('payment_finished consumer', () => {
  it.each<[string, Result, Record<string, unknown>]>([
    ['succeeded', { status: 'SUCCESS' }, { status: 'FINISHED' }],
    [
      'failed',
      { status: 'FAIL', reason: 'insufficient_funds' },
      { status: 'CANCELLED', reason: 'insufficient_funds' },
    ],
  ])('when the payment %s, then the NEW order is settled accordingly', async (_case, result, expected) => {
    const userId = randomUUID()
    const orderId = await harness.placeOrder(userId, 10)

    await publish(orderId, encoded(orderId, userId, result))

    const order = await eventually(
      () => harness.viewOrder(orderId, userId),
      (view) => view.status !== 'NEW',
    )
    expect(order).toEqual(expect.objectContaining(expected))
    // A reason belongs to a cancellation only.
    if (expected.status === 'FINISHED') expect(order).not.toHaveProperty('reason')
  })

  it.each<[string, Result, Result, Record<string, unknown>]>([
    [
      'SUCCESS then FAIL',
      { status: 'SUCCESS' },
      { status: 'FAIL', reason: 'account_not_found' },
      { status: 'FINISHED' },
    ],
    [
      'FAIL then SUCCESS',
      { status: 'FAIL', reason: 'insufficient_funds' },
      { status: 'SUCCESS' },
      { status: 'CANCELLED', reason: 'insufficient_funds' },
    ],
  ])(
    'when the results are %s, then the order keeps its first outcome',
    async (_case, first, second, expected) => {
      const userId = randomUUID()
      const orderId = await harness.placeOrder(userId, 10)
      const events = [paymentFinished(orderId, userId, first), paymentFinished(orderId, userId, second)]

      await publish(orderId, ...events.map((event) => PaymentFinished.encode(event)))
      await waitInInbox(...events.map((event) => event.event_id))

      // Two event ids, so the inbox let both through: the second was handled and must have changed nothing.
      const order = await harness.viewOrder(orderId, userId)
      expect(order).toMatchObject(expected)
      if (expected.status === 'FINISHED') expect(order).not.toHaveProperty('reason')
    },
  )

  it('when the same result comes again after retention deleted its inbox row, then the settled order is unchanged', async () => {
    // The inbox forgets after INBOX_RETENTION; settling only from NEW is what holds then.
    const userId = randomUUID()
    const orderId = await harness.placeOrder(userId, 10)
    const event = paymentFinished(orderId, userId, { status: 'FAIL', reason: 'insufficient_funds' })
    await publish(orderId, PaymentFinished.encode(event))
    await waitInInbox(event.event_id)
    const settled = await harness.viewOrder(orderId, userId)
    expect(await trimFromInbox(harness.pool, [event.event_id])).toBe(1)
    const { handled } = consumer.stats

    await publish(orderId, PaymentFinished.encode(event))
    await waitInInbox(event.event_id)

    expect(consumer.stats.handled).toBe(handled + 1)
    expect(settled).toMatchObject({ status: 'CANCELLED', reason: 'insufficient_funds' })
    expect(await harness.viewOrder(orderId, userId)).toEqual(settled)
  })

  it('when the same event is delivered twice, then the inbox skips the second one', async () => {
    const userId = randomUUID()
    const orderId = await harness.placeOrder(userId, 10)
    const event = paymentFinished(orderId, userId, { status: 'FAIL', reason: 'insufficient_funds' })
    const { duplicates } = consumer.stats

    await publish(orderId, PaymentFinished.encode(event), PaymentFinished.encode(event))
    // Only a skipped duplicate moves this counter, so it tells when the second delivery was handled.
    await eventually(
      async () => consumer.stats.duplicates,
      (count) => count === duplicates + 1,
    )
    const { rows } = await harness.pool.query('SELECT 1 FROM inbox WHERE consumer = $1 AND message_id = $2', [
      PAYMENT_FINISHED_CONSUMER,
      event.event_id,
    ])
    expect(rows).toHaveLength(1)
    expect(await harness.viewOrder(orderId, userId)).toMatchObject({
      status: 'CANCELLED',
      reason: 'insufficient_funds',
    })
  })

  it('when the result is for an unknown order, then it is acknowledged without effect and later messages flow', async () => {
    const userId = randomUUID()
    const orderId = await harness.placeOrder(userId, 10)
    const unknownOrderId = randomUUID()
    const unknown = paymentFinished(unknownOrderId, userId, { status: 'SUCCESS' })

    // Same key for both: had the first one failed, the second would wait behind it forever.
    await publish(orderId, PaymentFinished.encode(unknown), encoded(orderId, userId, { status: 'SUCCESS' }))

    await eventually(
      () => harness.viewOrder(orderId, userId),
      (view) => view.status === 'FINISHED',
    )
    // Acknowledged as a handled event: in the inbox, not a dead letter, and no order conjured up.
    await waitInInbox(unknown.event_id)
    const deadLetters = await harness.pool.query('SELECT 1 FROM dead_letters WHERE value LIKE $1', [
      `%${unknownOrderId}%`,
    ])
    expect(deadLetters.rowCount).toBe(0)
    const orders = await harness.pool.query('SELECT 1 FROM orders WHERE id = $1', [unknownOrderId])
    expect(orders.rowCount).toBe(0)
  })

  it.each([
    ['is not JSON', () => '{"event_id":'],
    ['has an order id that is not a UUID', () => withPayload({ order_id: 'order-1', status: 'SUCCESS' })],
    ['is a FAIL without a reason', () => withPayload({ status: 'FAIL' })],
    ['has an unknown version', () => JSON.stringify({ ...validEvent(), version: 2 })],
  ])(
    'when a message %s, then it lands in dead_letters and does not block the next one',
    async (_case, malformed) => {
      const userId = randomUUID()
      const orderId = await harness.placeOrder(userId, 10)
      const value = malformed()

      await publish(orderId, value, encoded(orderId, userId, { status: 'SUCCESS' }))

      await eventually(
        () => harness.viewOrder(orderId, userId),
        (view) => view.status === 'FINISHED',
      )
      const { rows } = await harness.pool.query<{ consumer: string; topic: string; error: string }>(
        'SELECT consumer, topic, error FROM dead_letters WHERE value = $1',
        [value],
      )
      expect(rows).toHaveLength(1)
      expect(rows[0]).toMatchObject({ consumer: PAYMENT_FINISHED_CONSUMER, topic: resultsTopic })
      expect(rows[0]?.error).not.toBe('')
    },
  )
})

describe('refund_finished on the same topic', () => {
  it('when a refund result is delivered twice, then the inbox skips the second and the refund counts once', async () => {
    const userId = randomUUID()
    const orderId = await givenFinishedOrder(harness, userId, 10)
    const refund = await post(harness, `/orders/${orderId}/refunds`, userId, { amount: 4 })
    const event = refundFinished({
      refund_id: refund.json().id,
      order_id: orderId,
      user_id: userId,
      amount_minor: 400,
    })
    const duplicatesBefore = consumer.stats.duplicates

    await publish(orderId, RefundFinished.encode(event), RefundFinished.encode(event))
    await waitInInbox(event.event_id)
    await eventually(
      async () => consumer.stats.duplicates,
      (duplicates) => duplicates === duplicatesBefore + 1,
    )

    expect(await harness.viewOrder(orderId, userId)).toMatchObject({ status: 'FINISHED', refunded_amount: 4 })
    const listed = await get(harness, `/orders/${orderId}/refunds`, userId)
    expect(listed.json()).toMatchObject([{ status: 'SUCCEEDED', amount: 4 }])
  })

  it('when a payment result and the refund results of one order come in order, then the order ends REFUNDED', async () => {
    const userId = randomUUID()
    const orderId = await harness.placeOrder(userId, 10)
    await publish(orderId, encoded(orderId, userId, { status: 'SUCCESS' }))
    await eventually(
      () => harness.viewOrder(orderId, userId),
      (view) => view.status === 'FINISHED',
    )
    const refund = await post(harness, `/orders/${orderId}/refunds`, userId)
    const event = refundFinished({
      refund_id: refund.json().id,
      order_id: orderId,
      user_id: userId,
      amount_minor: 1000,
    })

    await publish(orderId, RefundFinished.encode(event))

    const order = await eventually(
      () => harness.viewOrder(orderId, userId),
      (view) => view.status !== 'FINISHED',
    )
    expect(order).toMatchObject({ status: 'REFUNDED', refunded_amount: 10 })
  })
})
