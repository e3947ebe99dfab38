import { randomUUID } from 'node:crypto'
import { RefundRequested } from '@shop/contracts'
import { appendToOutbox, outboxMessage, type Transaction } from '@shop/platform'
import { lockUserOrder } from '../data/orders.repository.ts'
import { claimedRefundsMinor, insertRefund } from '../data/refunds.repository.ts'
import { eventFieldsOf, type Order } from './order.ts'
import type { Refund } from './refund.ts'

export interface RefundRequest {
  userId: string
  orderId: string
  /** Undefined: all of the order that no refund has claimed yet. */
  amountMinor: number | undefined
}

export type RefundRequestOutcome =
  | { outcome: 'requested'; refund: Refund }
  /** Unknown, or another user's. */
  | { outcome: 'order_not_found' }
  /** Only a FINISHED order can be refunded. */
  | { outcome: 'not_refundable'; order: Order }
  /** With the refunds not failed, this one would pass the order's amount; `leftMinor` is what may still be asked. */
  | { outcome: 'exceeds_order'; leftMinor: number }

/**
 * Accepts a refund of a FINISHED order, in the caller's transaction: the refund (PENDING) and its
 * `refund_requested` event are written while the transaction holds the order's row lock, taken
 * before it adds up the refunds already claimed. Concurrent requests for one order therefore
 * decide one after the other, and the refunds that did not fail never add up to more than the
 * order's amount.
 */
export async function requestRefund(
  tx: Transaction,
  request: RefundRequest,
  ordersTopic: string,
  traceparent?: string,
): Promise<RefundRequestOutcome> {
  const order = await lockUserOrder(tx, request.userId, request.orderId)
  if (!order) return { outcome: 'order_not_found' }
  if (order.status !== 'FINISHED') return { outcome: 'not_refundable', order }
  const leftMinor = order.amountMinor - (await claimedRefundsMinor(tx, order.id))
  const amountMinor = request.amountMinor ?? leftMinor
  if (amountMinor <= 0 || amountMinor > leftMinor) return { outcome: 'exceeds_order', leftMinor }
  const refund = await insertRefund(tx, {
    id: randomUUID(),
    orderId: order.id,
    userId: order.userId,
    amountMinor,
  })
  const event = RefundRequested.create({
    refund_id: refund.id,
    ...eventFieldsOf(order),
    amount_minor: amountMinor,
  })
  await appendToOutbox(tx, [outboxMessage(ordersTopic, order.id, RefundRequested.encode(event), traceparent)])
  return { outcome: 'requested', refund }
}
