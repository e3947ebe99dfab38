import { randomUUID } from 'node:crypto'
import {
  OrderCreated,
  type PaymentFinished,
  type PaymentFinishedPayload,
  type PaymentResultsTopicEvent,
  PaymentResultsTopicEvents,
  type RefundFinished,
} from '@shop/contracts'
import { type EventConsumer, loadConfig, type Transport } from '@shop/platform'
import { expect } from 'vitest'
import { createEmbeddedTransport } from '../../../../packages/platform/src/transport/embedded/embedded-transport.ts'
import { eventually } from '../../../../tests/support/eventually.ts'
import { testLogger } from '../../../../tests/support/logger.ts'
import { PaymentsConfig } from '../../src/config.ts'
import { startOrderCreatedConsumer } from '../../src/messaging/order-created.consumer.ts'
import { createPaymentsDatabase, type PaymentsDatabase } from './payments-database.ts'

export interface ConsumerHarness {
  db: PaymentsDatabase
  config: PaymentsConfig
  consumer: EventConsumer
  /** Publishes to the orders topic as orders-service's relay would: keyed by order id. */
  publish(key: string, value: string): Promise<void>
  /** Publishes values in one send under one key: one partition, in this order, likely one batch. */
  publishTogether(key: string, values: readonly string[]): Promise<void>
  publishEvent(event: OrderCreated): Promise<void>
  /** The payment_finished messages in the payments outbox for one order, decoded, oldest first. */
  announcedFor(orderId: string): Promise<PaymentFinished[]>
  /** Waits until `count` results were announced for the order, and returns them. */
  awaitAnnounced(orderId: string, count: number): Promise<PaymentFinished[]>
  /** The refund_finished messages in the payments outbox for one order, decoded, oldest first. */
  refundsAnnouncedFor(orderId: string): Promise<RefundFinished[]>
  awaitRefundsAnnounced(orderId: string, count: number): Promise<RefundFinished[]>
  close(): Promise<void>
}

/** What a consumer of payments-service runs on: its own database, topics, group and transport. */
export async function createConsumerSetting() {
  const db = await createPaymentsDatabase()
  const suffix = randomUUID().slice(0, 8)
  // Through the schema, as at boot, so every other setting has its default.
  const config = loadConfig(PaymentsConfig, {
    PORT: '0',
    LOG_LEVEL: 'silent',
    DATABASE_URL: db.url,
    ORDERS_TOPIC: `orders-${suffix}`,
    PAYMENT_RESULTS_TOPIC: `payment-results-${suffix}`,
    KAFKA_CONSUMER_GROUP: `payments-test-${suffix}`,
    TOPIC_PARTITIONS: '3',
  })
  // A short idle poll only covers the moment before LISTEN is up; notifications wake the consumer.
  const transport: Transport = await createEmbeddedTransport({
    connectionString: db.url,
    partitions: 3,
    logger: testLogger,
    idlePollMs: 100,
  })
  return { db, config, transport }
}

/**
 * The consumer side of payments-service as server.ts wires it, on the real embedded transport:
 * its own database, topics and consumer group, so test files never see each other's messages.
 */
export async function startConsumerHarness(): Promise<ConsumerHarness> {
  const { db, config, transport } = await createConsumerSetting()
  const consumer = await startOrderCreatedConsumer({ pool: db.pool, transport, config, logger: testLogger })

  const resultsFor = async (orderId: string) => {
    const { rows } = await db.pool.query<{ value: string }>(
      'SELECT value FROM outbox WHERE topic = $1 AND lower(message_key) = lower($2) ORDER BY id',
      [config.PAYMENT_RESULTS_TOPIC, orderId],
    )
    return rows.map(({ value }) => {
      const decoded = PaymentResultsTopicEvents.decode(value)
      // The outbox must only ever hold messages that keep their contract.
      expect(decoded).toMatchObject({ ok: true })
      return (decoded as { event: PaymentResultsTopicEvent }).event
    })
  }
  const announcedFor = async (orderId: string) =>
    (await resultsFor(orderId)).filter((event): event is PaymentFinished => event.type === 'payment_finished')
  const refundsAnnouncedFor = async (orderId: string) =>
    (await resultsFor(orderId)).filter((event): event is RefundFinished => event.type === 'refund_finished')

  return {
    db,
    config,
    consumer,
    publish: (key, value) => transport.publish(config.ORDERS_TOPIC, [{ key, value }]),
    publishTogether: (key, values) =>
      transport.publish(
        config.ORDERS_TOPIC,
        values.map((value) => ({ key, value })),
      ),
    publishEvent: (event) =>
      transport.publish(config.ORDERS_TOPIC, [
        { key: event.payload.order_id, value: OrderCreated.encode(event) },
      ]),
    announcedFor,
    refundsAnnouncedFor,
    awaitRefundsAnnounced: (orderId, count) =>
      eventually(
        () => refundsAnnouncedFor(orderId),
        (announced) => announced.length >= count,
      ),
    awaitAnnounced: (orderId, count) =>
      eventually(
        () => announcedFor(orderId),
        (announced) => announced.length >= count,
      ),
    async close() {
      await consumer.stop()
      await transport.close()
      await db.close()
    },
  }
}

/** The payload a consumer of payment_finished would see, without the envelope. */
export const payloadsOf = (announced: PaymentFinished[]): PaymentFinishedPayload[] =>
  announced.map((event) => event.payload)
