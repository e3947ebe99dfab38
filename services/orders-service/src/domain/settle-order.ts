import type { PaymentFinishedPayload, SettledOrderStatus } from '@shop/contracts'
import type { Transaction } from '@shop/platform'
import { moveOrder, orderExists } from '../data/orders.repository.ts'

export type SettleOutcome = 'settled' | 'already_final' | 'unknown_order'

/** What a payment result makes of a NEW order: FINISHED when paid, else CANCELLED with the reason. */
export function finalStatusFor(result: PaymentFinishedPayload): {
  status: SettledOrderStatus
  reason: string | null
} {
  return result.status === 'SUCCESS'
    ? { status: 'FINISHED', reason: null }
    : { status: 'CANCELLED', reason: result.reason }
}

/**
 * Applies a payment result inside the consumer's transaction: NEW becomes its final status, once.
 * The rule "only an order the state machine lets move there is settled, and its owner's open pages
 * hear of it when (and only if) this commits" is one statement (moveOrder), so a settled order
 * costs one round trip. A result for an order that has moved on (a repeated announcement, or an
 * order its owner cancelled first) changes nothing, and neither does one for an order this service
 * never had.
 */
export async function settleOrder(tx: Transaction, result: PaymentFinishedPayload): Promise<SettleOutcome> {
  const { status, reason } = finalStatusFor(result)
  if (await moveOrder(tx, { orderId: result.order_id, to: status, reason })) return 'settled'
  return (await orderExists(tx, result.order_id)) ? 'already_final' : 'unknown_order'
}
