import { OrderCancelled } from './order-cancelled.ts'
import { OrderCreated } from './order-created.ts'
import { PaymentFinished } from './payment-finished.ts'
import { RefundFinished } from './refund-finished.ts'
import { RefundRequested } from './refund-requested.ts'
import { topicEvents } from './topic-events.ts'

/**
 * What orders-service publishes on ORDERS_TOPIC, keyed by order id: one order's creation,
 * cancellation and refunds share a partition, so payments-service sees them in the order they happened.
 */
export const OrdersTopicEvents = topicEvents(OrderCreated, OrderCancelled, RefundRequested)
export type OrdersTopicEvent = Extract<ReturnType<typeof OrdersTopicEvents.decode>, { ok: true }>['event']

/** What payments-service publishes on PAYMENT_RESULTS_TOPIC, keyed by order id. */
export const PaymentResultsTopicEvents = topicEvents(PaymentFinished, RefundFinished)
export type PaymentResultsTopicEvent = Extract<
  ReturnType<typeof PaymentResultsTopicEvents.decode>,
  { ok: true }
>['event']
