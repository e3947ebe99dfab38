import { randomUUID } from 'node:crypto'
import { OrderCreated } from '@shop/contracts'
import { appendToOutbox, type Database, TRACEPARENT_HEADER, withTransaction } from '@shop/platform'
import { insertOrder } from '../data/orders.repository.ts'
import type { Order } from './order.ts'

export interface PlaceOrderRequest {
  userId: string
  amountMinor: number
  description: string | null
}

/**
 * Accepts an order: the order (NEW) and its `order_created` event are written in one transaction,
 * so the event is published if and only if the order exists. Nothing is published from here.
 */
export async function placeOrder(
  db: Database,
  request: PlaceOrderRequest,
  ordersTopic: string,
  /** The request's trace, carried in the event's headers so the payment can be followed too. */
  traceparent?: string,
): Promise<Order> {
  return withTransaction(db, async (trx) => {
    const order = await insertOrder(trx, { id: randomUUID(), ...request })
    const event = OrderCreated.create(
      { order_id: order.id, user_id: order.userId, amount_minor: order.amountMinor },
      order.createdAt,
    )
    await appendToOutbox(trx, [
      {
        topic: ordersTopic,
        key: order.id,
        value: OrderCreated.encode(event),
        ...(traceparent ? { headers: { [TRACEPARENT_HEADER]: traceparent } } : {}),
      },
    ])
    return order
  })
}
