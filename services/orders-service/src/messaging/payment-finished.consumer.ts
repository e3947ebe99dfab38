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
import { type SettleOutcome, settleOrder, settleOrders } from '../domain/settle-order.ts'

export const PAYMENT_FINISHED_CONSUMER = 'orders.payment_finished'

function logOutcome(log: Logger, event: PaymentFinished, outcome: SettleOutcome): void {
  if (outcome === 'unknown_order') log.warn('payment result for an unknown order ignored')
  else log.info({ status: event.payload.status, outcome }, 'payment result applied')
}

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
    handle: async (tx, event, { log }) => logOutcome(log, event, await settleOrder(tx, event.payload)),
    handleAll: async (tx, batch) => {
      const outcomes = await settleOrders(
        tx,
        batch.map(({ event }) => event.payload),
      )
      for (const [index, { event, context }] of batch.entries())
        logOutcome(context.log, event, outcomes[index] as SettleOutcome)
    },
    logger,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  })
}
