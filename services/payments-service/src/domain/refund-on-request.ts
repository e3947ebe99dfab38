import {
  normaliseUuid,
  type RefundFailureReason,
  RefundFinished,
  type RefundFinishedPayload,
  type RefundRequestedPayload,
} from '@shop/contracts'
import { appendToOutbox, outboxMessage, type Transaction } from '@shop/platform'
import { findPayment, lockOrderPayment } from '../data/payments.repository.ts'
import { findRefund, refundedMinor } from '../data/refunds.repository.ts'
import { recordRefund } from './credit-refund.ts'
import type { Refund } from './refund.ts'

/**
 * Settles a `refund_requested` event inside the consumer's transaction: the refund is credited at
 * most once (its id is the key), and only while the order's succeeded refunds stay within its
 * charge; its outcome goes to the outbox. A refund seen before (a redelivery under a new event id,
 * or after the inbox forgot it) announces the outcome recorded then and credits nothing.
 */
export async function refundOnRequest(
  tx: Transaction,
  requested: RefundRequestedPayload,
  paymentResultsTopic: string,
  traceparent?: string,
): Promise<RefundFinishedPayload> {
  const orderId = normaliseUuid(requested.order_id)
  await lockOrderPayment(tx, orderId)
  const refundId = normaliseUuid(requested.refund_id)
  const refund = (await findRefund(tx, refundId)) ?? {
    id: refundId,
    orderId,
    userId: normaliseUuid(requested.user_id),
    amountMinor: requested.amount_minor,
    cause: 'requested' as const,
    ...(await judgeRefund(tx, orderId, requested)),
  }
  await recordRefund(tx, refund)
  const base = {
    refund_id: refund.id,
    order_id: orderId,
    user_id: refund.userId,
    amount_minor: refund.amountMinor,
  }
  const result: RefundFinishedPayload =
    refund.status === 'SUCCEEDED'
      ? { ...base, status: 'SUCCEEDED' }
      : { ...base, status: 'FAILED', reason: refund.reason ?? 'payment_not_found' }
  const event = RefundFinished.create(result)
  await appendToOutbox(tx, [
    outboxMessage(paymentResultsTopic, orderId, RefundFinished.encode(event), traceparent),
  ])
  return result
}

/** Whether a new refund can be credited: the order was charged to this user, and enough of it is left. */
async function judgeRefund(
  tx: Transaction,
  orderId: string,
  requested: RefundRequestedPayload,
): Promise<Pick<Refund, 'status' | 'reason'>> {
  const payment = await findPayment(tx, orderId)
  const failed = (reason: RefundFailureReason) => ({ status: 'FAILED' as const, reason })
  if (payment?.status !== 'SUCCESS' || payment.userId !== normaliseUuid(requested.user_id))
    return failed('payment_not_found')
  const leftMinor = payment.amountMinor - (await refundedMinor(tx, orderId))
  if (requested.amount_minor > leftMinor) return failed('refund_exceeds_payment')
  return { status: 'SUCCEEDED', reason: null }
}
