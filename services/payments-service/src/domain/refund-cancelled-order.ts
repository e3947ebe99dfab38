import { randomUUID } from 'node:crypto'
import { normaliseUuid, type OrderCancelledPayload } from '@shop/contracts'
import type { Transaction } from '@shop/platform'
import { findPayment, lockOrderPayment, recordCancelledBeforeCharge } from '../data/payments.repository.ts'
import { refundedMinor } from '../data/refunds.repository.ts'
import { recordRefund } from './credit-refund.ts'
import { isSameCharge } from './payment.ts'

export type CancellationOutcome = 'refunded' | 'never_charged' | 'nothing_to_refund' | 'already_refunded'

/**
 * Keeps no money for an order its owner cancelled, inside the consumer's transaction. Its charge,
 * if one was made, is given back by a refund, at most once per order (a unique index). An order
 * not charged yet gets a FAIL payment, so an order_created that comes later charges nothing. Under
 * the order's payment lock, so a charge and a cancellation of one order never interleave.
 */
export async function refundCancelledOrder(
  tx: Transaction,
  cancelled: OrderCancelledPayload,
): Promise<CancellationOutcome> {
  const request = {
    orderId: normaliseUuid(cancelled.order_id),
    userId: normaliseUuid(cancelled.user_id),
    amountMinor: cancelled.amount_minor,
  }
  await lockOrderPayment(tx, request.orderId)
  const payment = await findPayment(tx, request.orderId)
  if (!payment) {
    await recordCancelledBeforeCharge(tx, request)
    return 'never_charged'
  }
  if (payment.status !== 'SUCCESS' || !isSameCharge(payment, request)) return 'nothing_to_refund'
  const leftMinor = payment.amountMinor - (await refundedMinor(tx, request.orderId))
  if (leftMinor <= 0) return 'nothing_to_refund'
  const recorded = await recordRefund(tx, {
    id: randomUUID(),
    ...request,
    amountMinor: leftMinor,
    cause: 'cancellation',
    status: 'SUCCEEDED',
    reason: null,
  })
  return recorded ? 'refunded' : 'already_refunded'
}
