import type { RefundFinishedPayload } from '@shop/contracts'
import type { Transaction } from '@shop/platform'
import { addRefunded, announceOrder, moveOrder } from '../data/orders.repository.ts'
import { finishPendingRefund } from '../data/refunds.repository.ts'

export type SettleRefundOutcome = 'settled' | 'fully_refunded' | 'already_settled'

/**
 * Applies payments-service's answer for a refund, once: a PENDING refund becomes SUCCEEDED (its
 * amount is added to what the order had back, and an order that has its whole amount back becomes
 * REFUNDED) or FAILED. A repeated answer finds the refund settled and changes nothing. The owner's
 * open pages are told when this commits.
 */
export async function settleRefund(
  tx: Transaction,
  result: RefundFinishedPayload,
): Promise<SettleRefundOutcome> {
  const refund = await finishPendingRefund(
    tx,
    result.refund_id,
    result.status,
    result.status === 'FAILED' ? result.reason : null,
  )
  if (!refund) return 'already_settled'
  if (refund.status === 'SUCCEEDED') {
    const order = await addRefunded(tx, refund.orderId, refund.amountMinor)
    if (order.refundedMinor === order.amountMinor) {
      await moveOrder(tx, { orderId: order.id, to: 'REFUNDED', reason: null })
      return 'fully_refunded'
    }
  }
  await announceOrder(tx, refund.orderId)
  return 'settled'
}
