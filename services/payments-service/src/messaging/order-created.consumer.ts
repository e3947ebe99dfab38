import { type OrdersTopicEvent, OrdersTopicEvents, type PaymentFinishedPayload } from '@shop/contracts'
import type { ConsumerDeps, Logger, MessageContext, Transaction } from '@shop/platform'
import { startEventConsumer } from '@shop/platform'
import type { PaymentsConfig } from '../config.ts'
import { payForOrder, payForOrders } from '../domain/pay-for-order.ts'
import { refundCancelledOrder } from '../domain/refund-cancelled-order.ts'
import { refundOnRequest } from '../domain/refund-on-request.ts'

/** The inbox name of the consumer of ORDERS_TOPIC; it predates the other events there and stays. */
export const ORDER_CREATED_CONSUMER = 'payments.order_created'

function logPaid(log: Logger, result: PaymentFinishedPayload): void {
  log.info({ status: result.status, reason: 'reason' in result ? result.reason : undefined }, 'order paid')
}

/**
 * Consumes what orders-service publishes, one order's events in the order they happened: an order
 * is charged, a cancelled order's charge is given back, a requested refund is credited.
 */
export function startOrderCreatedConsumer(deps: ConsumerDeps<PaymentsConfig>) {
  const resultsTopic = deps.config.PAYMENT_RESULTS_TOPIC
  const applyOne = async (tx: Transaction, event: OrdersTopicEvent, { log, traceparent }: MessageContext) => {
    switch (event.type) {
      case 'order_created':
        logPaid(log, await payForOrder(tx, event.payload, resultsTopic, traceparent))
        return
      case 'order_cancelled': {
        const outcome = await refundCancelledOrder(tx, event.payload)
        log.info({ outcome }, 'cancelled order settled')
        return
      }
      case 'refund_requested': {
        const result = await refundOnRequest(tx, event.payload, resultsTopic, traceparent)
        log.info({ refund_id: result.refund_id, status: result.status }, 'refund settled')
        return
      }
    }
  }
  return startEventConsumer({
    // The pool, the transport and the metrics.
    ...deps,
    batchSize: deps.config.CONSUMER_BATCH_SIZE,
    name: ORDER_CREATED_CONSUMER,
    topic: deps.config.ORDERS_TOPIC,
    group: deps.config.KAFKA_CONSUMER_GROUP ?? 'payments-service',
    event: OrdersTopicEvents,
    handle: applyOne,
    // A batch of new orders only is charged set-wise.
    together: {
      type: 'order_created',
      apply: async (tx, orders) => {
        const results = await payForOrders(
          tx,
          orders.map(({ event, context }) => ({ order: event.payload, traceparent: context.traceparent })),
          resultsTopic,
        )
        for (const [index, { context }] of orders.entries())
          logPaid(context.log, results[index] as PaymentFinishedPayload)
      },
    },
    logger: deps.logger.child({ component: 'order-created-consumer' }),
  })
}
