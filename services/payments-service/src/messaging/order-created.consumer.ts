import { OrdersTopicEvents } from '@shop/contracts'
import {
  type EventConsumer,
  type Logger,
  type ServiceMetrics,
  startEventConsumer,
  type Transport,
} from '@shop/platform'
import type pg from 'pg'
import type { PaymentsConfig } from '../config.ts'
import { payForOrder } from '../domain/pay-for-order.ts'
import { refundCancelledOrder } from '../domain/refund-cancelled-order.ts'
import { refundOnRequest } from '../domain/refund-on-request.ts'

/** The inbox name of the consumer of ORDERS_TOPIC; it predates the other events there and stays. */
export const ORDER_CREATED_CONSUMER = 'payments.order_created'

/**
 * Consumes what orders-service publishes, one order's events in the order they happened: an order
 * is charged, a cancelled order's charge is given back, a requested refund is credited.
 */

export function startOrderCreatedConsumer(deps: {
  pool: pg.Pool
  transport: Transport
  config: PaymentsConfig
  logger: Logger
  metrics?: ServiceMetrics
}): Promise<EventConsumer> {
  return startEventConsumer({
    name: ORDER_CREATED_CONSUMER,
    pool: deps.pool,
    transport: deps.transport,
    topic: deps.config.ORDERS_TOPIC,
    group: deps.config.KAFKA_CONSUMER_GROUP ?? 'payments-service',
    event: OrdersTopicEvents,
    handle: async (tx, event, { log, traceparent }) => {
      const resultsTopic = deps.config.PAYMENT_RESULTS_TOPIC
      switch (event.type) {
        case 'order_created': {
          const result = await payForOrder(tx, event.payload, resultsTopic, traceparent)
          log.info(
            { status: result.status, reason: 'reason' in result ? result.reason : undefined },
            'order paid',
          )
          return
        }
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
    },
    logger: deps.logger.child({ component: 'order-created-consumer' }),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  })
}
