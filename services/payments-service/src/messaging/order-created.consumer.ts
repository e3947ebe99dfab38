import { OrderCreated } from '@shop/contracts'
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

export const ORDER_CREATED_CONSUMER = 'payments.order_created'

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
    event: OrderCreated,
    handle: async (tx, event, { log, traceparent }) => {
      const result = await payForOrder(tx, event.payload, deps.config.PAYMENT_RESULTS_TOPIC, traceparent)
      log.info(
        { status: result.status, reason: 'reason' in result ? result.reason : undefined },
        'order paid',
      )
    },
    logger: deps.logger.child({ component: 'order-created-consumer' }),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  })
}
