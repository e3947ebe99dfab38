import { CANCELLED_BY_CUSTOMER, OrderCancelled } from '@shop/contracts'
import { appendToOutbox, outboxMessage, type Transaction } from '@shop/platform'
import { findUserOrder, moveOrder } from '../data/orders.repository.ts'
import { eventFieldsOf, type Order } from './order.ts'

export type CancelOutcome =
  | { outcome: 'cancelled'; order: Order }
  /** CANCELLED before, by its owner or for want of payment: nothing changes. */
  | { outcome: 'already_cancelled'; order: Order }
  /** Paid (FINISHED or REFUNDED): it must be refunded instead. */
  | { outcome: 'not_cancellable'; order: Order }
  /** Unknown, or another user's. */
  | { outcome: 'order_not_found' }

/**
 * The owner cancels an order, in the caller's transaction: a NEW one becomes CANCELLED at once, and
 * `order_cancelled` goes to the outbox in the same transaction, so payments-service gives back a
 * charge it may already have made (its `order_created` was published earlier on the same
 * partition, so it is handled first).
 */
export async function cancelOrder(
  tx: Transaction,
  request: { userId: string; orderId: string },
  ordersTopic: string,
): Promise<CancelOutcome> {
  const cancelled = await moveOrder(tx, { ...request, to: 'CANCELLED', reason: CANCELLED_BY_CUSTOMER })
  if (cancelled) {
    const event = OrderCancelled.create({ ...eventFieldsOf(cancelled), reason: CANCELLED_BY_CUSTOMER })
    await appendToOutbox(tx, [outboxMessage(ordersTopic, cancelled.id, OrderCancelled.encode(event))])
    return { outcome: 'cancelled', order: cancelled }
  }
  const order = await findUserOrder(tx, request.userId, request.orderId)
  if (!order) return { outcome: 'order_not_found' }
  return order.status === 'CANCELLED'
    ? { outcome: 'already_cancelled', order }
    : { outcome: 'not_cancellable', order }
}
