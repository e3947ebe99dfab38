import type { PaymentFinishedPayload } from '@shop/contracts'
import type { Transaction } from '@shop/platform'
import { moveOrder, orderExists } from '../data/orders.repository.ts'

export type SettleOutcome = 'settled' | 'already_final' | 'unknown_order'

/**
 * Applies a payment result: NEW becomes FINISHED or CANCELLED, once. A result for an order that
 * has moved on (a repeated announcement, or an order its owner cancelled first) changes nothing,
 * and neither does one for an order this service never had.
 */
export async function settleOrder(trx: Transaction, result: PaymentFinishedPayload): Promise<SettleOutcome> {
  const settled =
    result.status === 'SUCCESS'
      ? await moveOrder(trx, { orderId: result.order_id, to: 'FINISHED', reason: null })
      : await moveOrder(trx, { orderId: result.order_id, to: 'CANCELLED', reason: result.reason })
  // A settled order is announced to its owner's open pages when (and only if) this commits.
  if (settled) return 'settled'
  return (await orderExists(trx, result.order_id)) ? 'already_final' : 'unknown_order'
}
