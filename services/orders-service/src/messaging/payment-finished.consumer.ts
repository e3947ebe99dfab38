import {
  type PaymentFinished,
  type PaymentResultsTopicEvent,
  PaymentResultsTopicEvents,
} from '@shop/contracts'
import type { ConsumerDeps, Logger, MessageContext, Transaction } from '@shop/platform'
import { startEventConsumer } from '@shop/platform'
import type { OrdersConfig } from '../config.ts'
import { type SettleOutcome, settleOrder, settleOrders } from '../domain/settle-order.ts'
import { settleRefund } from '../domain/settle-refund.ts'

/** The inbox name of the consumer of PAYMENT_RESULTS_TOPIC; it predates refund_finished and stays. */
export const PAYMENT_FINISHED_CONSUMER = 'orders.payment_finished'

/** Consumes what payments-service publishes: payment results settle orders, refund results settle refunds. */

async function applyOne(
  tx: Transaction,
  event: PaymentResultsTopicEvent,
  { log }: MessageContext,
): Promise<void> {
  if (event.type === 'refund_finished') {
    const outcome = await settleRefund(tx, event.payload)
    log.info(
      { refund_id: event.payload.refund_id, status: event.payload.status, outcome },
      'refund result applied',
    )
    return
  }
  logSettled(log, event, await settleOrder(tx, event.payload))
}

function logSettled(log: Logger, event: PaymentFinished, outcome: SettleOutcome): void {
  if (outcome === 'unknown_order') log.warn('payment result for an unknown order ignored')
  else log.info({ status: event.payload.status, outcome }, 'payment result applied')
}

export function startPaymentFinishedConsumer(deps: ConsumerDeps<OrdersConfig>) {
  const logger = deps.logger.child({ component: 'payment-finished-consumer' })
  return startEventConsumer({
    // The pool, the transport and the metrics.
    ...deps,
    batchSize: deps.config.CONSUMER_BATCH_SIZE,
    name: PAYMENT_FINISHED_CONSUMER,
    topic: deps.config.PAYMENT_RESULTS_TOPIC,
    group: deps.config.KAFKA_CONSUMER_GROUP ?? 'orders-service',
    event: PaymentResultsTopicEvents,
    handle: (tx, event, context) => applyOne(tx, event, context),
    // A batch of payment results only is settled in one statement.
    together: {
      type: 'payment_finished',
      apply: async (tx, payments) => {
        const outcomes = await settleOrders(
          tx,
          payments.map(({ event }) => event.payload),
        )
        for (const [index, { event, context }] of payments.entries())
          logSettled(context.log, event, outcomes[index] as SettleOutcome)
      },
    },
    logger,
  })
}
