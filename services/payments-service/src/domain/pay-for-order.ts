import { type OrderCreatedPayload, PaymentFinished, type PaymentFinishedPayload } from '@shop/contracts'
import { appendToOutbox, type Transaction } from '@shop/platform'
import { chargeOnce } from './charge.ts'
import { isSameCharge } from './payment.ts'

/**
 * Settles an `order_created` event inside the consumer's transaction: charge the order at most
 * once and put the outcome in the outbox. A second delivery (even with another event id) finds
 * the payment and announces the same outcome again, which orders-service ignores once settled.
 */
export async function payForOrder(
  trx: Transaction,
  order: OrderCreatedPayload,
  paymentResultsTopic: string,
): Promise<PaymentFinishedPayload> {
  const request = { orderId: order.order_id, userId: order.user_id, amountMinor: order.amount_minor }
  const { payment } = await chargeOnce(trx, request)
  const base = { order_id: order.order_id, user_id: order.user_id, amount_minor: order.amount_minor }
  const result: PaymentFinishedPayload = !isSameCharge(payment, request)
    ? { ...base, status: 'FAIL', reason: 'payment_conflict' }
    : payment.status === 'SUCCESS'
      ? { ...base, status: 'SUCCESS' }
      : { ...base, status: 'FAIL', reason: payment.reason ?? 'insufficient_funds' }
  await appendToOutbox(trx, [
    {
      topic: paymentResultsTopic,
      key: order.order_id,
      value: PaymentFinished.encode(PaymentFinished.create(result)),
    },
  ])
  return result
}
