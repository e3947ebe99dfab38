import type { FinalOrderStatus, PaymentFinishedPayload } from '@shop/contracts'
import type { Transaction } from '@shop/platform'
import { finishAndAnnounceNewOrder, orderExists } from '../data/orders.repository.ts'

export type SettleOutcome = 'settled' | 'already_final' | 'unknown_order'

/** What a payment result makes of a NEW order: FINISHED when paid, else CANCELLED with the reason. */
export function finalStatusFor(result: PaymentFinishedPayload): {
  status: FinalOrderStatus
  reason: string | null
} {
  return result.status === 'SUCCESS'
    ? { status: 'FINISHED', reason: null }
    : { status: 'CANCELLED', reason: result.reason }
}

/**
 * Applies a payment result inside the consumer's transaction: NEW becomes its final status, once.
 * The rule "only a NEW order is settled, and its owner's open pages hear of it when (and only if)
 * this commits" is one statement (finishAndAnnounceNewOrder), so a settled order costs one round
 * trip. A result for an order that is already final (a repeated announcement) changes nothing, and
 * so does one for an order this service never had.
 */
export async function settleOrder(tx: Transaction, result: PaymentFinishedPayload): Promise<SettleOutcome> {
  const { status, reason } = finalStatusFor(result)
  if (await finishAndAnnounceNewOrder(tx, result.order_id, status, reason)) return 'settled'
  return (await orderExists(tx, result.order_id)) ? 'already_final' : 'unknown_order'
}
