import { CANCELLED_BY_CUSTOMER, ErrorCatalogue, OrderCancelled } from '@shop/contracts'
import { AppError, appendToOutbox, type Database, outboxMessage, withTransaction } from '@shop/platform'
import { findUserOrder, moveOrder } from '../data/orders.repository.ts'
import { eventFieldsOf, type Order } from './order.ts'

export const orderNotFound = () => new AppError(ErrorCatalogue.orderNotFound, 'This user has no such order')

/**
 * The owner cancels an order: a NEW one becomes CANCELLED at once, and `order_cancelled` goes out
 * in the same transaction, so payments-service gives back a charge it may already have made (its
 * `order_created` was published earlier on the same partition, so it is handled first). An order
 * already CANCELLED is answered as it is; one that was paid must be refunded instead.
 */
export async function cancelOrder(
  db: Database,
  request: { userId: string; orderId: string },
  ordersTopic: string,
): Promise<Order> {
  return withTransaction(db, async (trx) => {
    const cancelled = await moveOrder(trx, { ...request, to: 'CANCELLED', reason: CANCELLED_BY_CUSTOMER })
    if (cancelled) {
      const event = OrderCancelled.create({ ...eventFieldsOf(cancelled), reason: CANCELLED_BY_CUSTOMER })
      await appendToOutbox(trx, [outboxMessage(ordersTopic, cancelled.id, OrderCancelled.encode(event))])
      return cancelled
    }
    const order = await findUserOrder(trx, request.userId, request.orderId)
    if (!order) throw orderNotFound()
    if (order.status === 'CANCELLED') return order
    throw new AppError(
      ErrorCatalogue.orderNotCancellable,
      `This order is ${order.status} and cannot be cancelled; refund it instead`,
    )
  })
}
