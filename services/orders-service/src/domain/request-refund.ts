import { randomUUID } from 'node:crypto'
import { ErrorCatalogue, RefundRequested } from '@shop/contracts'
import { AppError, appendToOutbox, type Database, outboxMessage, withTransaction } from '@shop/platform'
import { lockUserOrder } from '../data/orders.repository.ts'
import { claimedRefundsMinor, insertRefund } from '../data/refunds.repository.ts'
import { orderNotFound } from './cancel-order.ts'
import { eventFieldsOf } from './order.ts'
import type { Refund } from './refund.ts'

export interface RefundRequest {
  userId: string
  orderId: string
  /** Undefined: all of the order that no refund has claimed yet. */
  amountMinor: number | undefined
}

/**
 * Accepts a refund of a FINISHED order: the refund (PENDING) and its `refund_requested` event are
 * written in one transaction, which holds the order's row lock while it adds up the refunds
 * already claimed. Concurrent requests for one order therefore decide one after the other, and
 * the refunds that did not fail never add up to more than the order's amount.
 */
export async function requestRefund(
  db: Database,
  request: RefundRequest,
  ordersTopic: string,
  traceparent?: string,
): Promise<Refund> {
  return withTransaction(db, async (trx) => {
    const order = await lockUserOrder(trx, request.userId, request.orderId)
    if (!order) throw orderNotFound()
    if (order.status !== 'FINISHED')
      throw new AppError(
        ErrorCatalogue.orderNotRefundable,
        `This order is ${order.status}; only a FINISHED order can be refunded`,
      )
    const leftMinor = order.amountMinor - (await claimedRefundsMinor(trx, order.id))
    const amountMinor = request.amountMinor ?? leftMinor
    if (amountMinor <= 0 || amountMinor > leftMinor)
      throw new AppError(
        ErrorCatalogue.refundExceedsOrder,
        `With the refunds already asked for, at most ${leftMinor} minor units of this order can be refunded`,
      )
    const refund = await insertRefund(trx, {
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
    await appendToOutbox(trx, [
      outboxMessage(ordersTopic, order.id, RefundRequested.encode(event), traceparent),
    ])
    return refund
  })
}
