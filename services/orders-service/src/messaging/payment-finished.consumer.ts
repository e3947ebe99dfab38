import { PaymentResultsTopicEvents } from '@shop/contracts'
import {
  type EventConsumer,
  type Logger,
  type ServiceMetrics,
  startEventConsumer,
  type Transport,
} from '@shop/platform'
import type pg from 'pg'
import type { OrdersConfig } from '../config.ts'
import { settleOrder } from '../domain/settle-order.ts'
import { settleRefund } from '../domain/settle-refund.ts'

/** The inbox name of the consumer of PAYMENT_RESULTS_TOPIC; it predates refund_finished and stays. */
export const PAYMENT_FINISHED_CONSUMER = 'orders.payment_finished'

/** Consumes what payments-service publishes: payment results settle orders, refund results settle refunds. */

export function startPaymentFinishedConsumer(deps: {
  pool: pg.Pool
  transport: Transport
  config: OrdersConfig
  logger: Logger
  metrics?: ServiceMetrics
}): Promise<EventConsumer> {
  const logger = deps.logger.child({ component: 'payment-finished-consumer' })
  return startEventConsumer({
    name: PAYMENT_FINISHED_CONSUMER,
    pool: deps.pool,
    transport: deps.transport,
    topic: deps.config.PAYMENT_RESULTS_TOPIC,
    group: deps.config.KAFKA_CONSUMER_GROUP ?? 'orders-service',
    event: PaymentResultsTopicEvents,
    handle: async (tx, event, { log }) => {
      if (event.type === 'refund_finished') {
        const outcome = await settleRefund(tx, event.payload)
        log.info(
          { refund_id: event.payload.refund_id, status: event.payload.status, outcome },
          'refund result applied',
        )
        return
      }
      const outcome = await settleOrder(tx, event.payload)
      if (outcome === 'unknown_order') {
        log.warn('payment result for an unknown order ignored')
      } else {
        log.info({ status: event.payload.status, outcome }, 'payment result applied')
      }
    },
    logger,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  })
}
