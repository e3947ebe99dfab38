import type { PaymentFinishedPayload, SettledOrderStatus } from '@shop/contracts'
import type { Transaction } from '@shop/platform'
import { moveAndAnnounceOrders } from '../data/orders.repository.ts'

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
 * Applies payment results inside the consumer's transaction, in their order: NEW becomes its final
 * status, once. The rule "only an order the state machine lets move there is settled, and its
 * owner's open pages hear of it when (and only if) this commits" is one statement for the whole
 * batch (moveAndAnnounceOrders), so a batch of results costs one round trip. A result for an order
 * that has moved on (a repeated announcement, a later result for an order an earlier one of the
 * batch settled, or an order its owner cancelled first) changes nothing, and neither does one for
 * an order this service never had.
 */
export async function settleOrders(
  tx: Transaction,
  results: readonly PaymentFinishedPayload[],
): Promise<SettleOutcome[]> {
  // The first result for an order is the one the statement applies; the later ones find it final.
  const firstFor = new Map<string, number>()
  for (const [index, result] of results.entries())
    if (!firstFor.has(result.order_id)) firstFor.set(result.order_id, index)
  const firsts = [...firstFor.values()].map((index) => results[index] as PaymentFinishedPayload)
  const changes = await moveAndAnnounceOrders(
    tx,
    firsts.map((result) => {
      const { status, reason } = finalStatusFor(result)
      return { orderId: result.order_id, to: status, reason }
    }),
  )
  const outcomeOf = new Map<string, { moved: boolean; known: boolean }>()
  for (const [index, result] of firsts.entries())
    outcomeOf.set(result.order_id, changes[index] ?? { moved: false, known: false })
  return results.map((result, index): SettleOutcome => {
    const { moved, known } = outcomeOf.get(result.order_id) ?? { moved: false, known: false }
    if (!known) return 'unknown_order'
    return moved && firstFor.get(result.order_id) === index ? 'settled' : 'already_final'
  })
}

/** Applies one payment result: `settleOrders` of one. */
export async function settleOrder(tx: Transaction, result: PaymentFinishedPayload): Promise<SettleOutcome> {
  return (await settleOrders(tx, [result]))[0] as SettleOutcome
}
