import { PaymentFinished } from '@shop/contracts'
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

export const PAYMENT_FINISHED_CONSUMER = 'orders.payment_finished'

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
    event: PaymentFinished,
    handle: async (tx, event, { log }) => {
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
