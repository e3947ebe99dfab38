import {
  normaliseUuid,
  type OrderCreatedPayload,
  PaymentFinished,
  type PaymentFinishedPayload,
} from '@shop/contracts'
import { appendToOutbox, TRACEPARENT_HEADER, type Transaction } from '@shop/platform'
import { chargeOnce } from './charge.ts'
import { isSameCharge } from './payment.ts'

/**
 * Settles an `order_created` event inside the consumer's transaction: charge the order at most
 * once and put the outcome in the outbox. A second delivery (even with another event id) finds
 * the payment and announces the same outcome again, which orders-service ignores once settled.
 */
export async function payForOrder(
  tx: Transaction,
  order: OrderCreatedPayload,
  paymentResultsTopic: string,
  /** The trace the order came with, carried on to orders-service. */
  traceparent?: string,
): Promise<PaymentFinishedPayload> {
  // The contract's uuid format accepts either case and PostgreSQL answers in lower case: compare,
  // lock and key in lower case, so a redelivery in another case is not a conflict (nor another key).
  const orderId = normaliseUuid(order.order_id)
  const userId = normaliseUuid(order.user_id)
  const request = { orderId, userId, amountMinor: order.amount_minor }
  const { payment } = await chargeOnce(tx, request)
  const base = { order_id: orderId, user_id: userId, amount_minor: order.amount_minor }
  const result: PaymentFinishedPayload = !isSameCharge(payment, request)
    ? { ...base, status: 'FAIL', reason: 'payment_conflict' }
    : payment.status === 'SUCCESS'
      ? { ...base, status: 'SUCCESS' }
      : { ...base, status: 'FAIL', reason: payment.reason ?? 'insufficient_funds' }
  await appendToOutbox(tx, [
    {
      topic: paymentResultsTopic,
      key: orderId,
      value: PaymentFinished.encode(PaymentFinished.create(result)),
      ...(traceparent ? { headers: { [TRACEPARENT_HEADER]: traceparent } } : {}),
    },
  ])
  return result
}
