import { randomUUID } from 'node:crypto'
import { OrderCreated } from '@shop/contracts'
import { type Executor, TRACEPARENT_HEADER } from '@shop/platform'
import { insertOrder } from '../data/orders.repository.ts'
import type { Order } from './order.ts'

export interface PlaceOrderRequest {
  userId: string
  amountMinor: number
  description: string | null
}

/**
 * Accepts an order: the order (NEW) and its `order_created` event are written in one statement,
 * so the event is published if and only if the order exists. Nothing is published from here. One
 * statement is atomic on its own, so it needs no transaction (`autocommit`), and it can also be
 * part of a caller's (one that records an Idempotency-Key with it).
 */
export async function placeOrder(
  db: Executor,
  request: PlaceOrderRequest,
  ordersTopic: string,
  /** The request's trace, carried in the event's headers so the payment can be followed too. */
  traceparent?: string,
): Promise<Order> {
  const id = randomUUID()
  const event = OrderCreated.create({
    order_id: id,
    user_id: request.userId,
    amount_minor: request.amountMinor,
  })
  return insertOrder(db, { id, ...request }, [
    {
      topic: ordersTopic,
      key: id,
      value: OrderCreated.encode(event),
      ...(traceparent ? { headers: { [TRACEPARENT_HEADER]: traceparent } } : {}),
    },
  ])
}
