import { randomUUID } from 'node:crypto'
import { OrderCreated } from '@shop/contracts'
import { type Executor, type OutboxMessage, TRACEPARENT_HEADER } from '@shop/platform'
import { insertOrders, type NewOrder } from '../data/orders.repository.ts'
import type { Order } from './order.ts'

export interface PlaceOrderRequest {
  userId: string
  amountMinor: number
  description: string | null
  /** The request's trace, carried in the event's headers so the payment can be followed too. */
  traceparent?: string | undefined
}

/**
 * Accepts orders: each order (NEW) and its `order_created` event are written in one statement
 * with all the others, so an event is published if and only if its order exists. Nothing is
 * published from here. One statement is atomic on its own, so it needs no transaction
 * (`autocommit`), and it can also be part of a caller's (one that records Idempotency-Keys with
 * it). Returns the orders in the order of `requests`.
 */
export async function placeOrders(
  db: Executor,
  requests: readonly PlaceOrderRequest[],
  ordersTopic: string,
): Promise<Order[]> {
  if (requests.length === 0) return []
  const orders: NewOrder[] = requests.map(({ userId, amountMinor, description }) => ({
    id: randomUUID(),
    userId,
    amountMinor,
    description,
  }))
  const events = orders.map((order, index) =>
    orderCreatedMessage(order, ordersTopic, requests[index]?.traceparent),
  )
  return insertOrders(db, orders, events)
}

function orderCreatedMessage(order: NewOrder, ordersTopic: string, traceparent?: string): OutboxMessage {
  const event = OrderCreated.create({
    order_id: order.id,
    user_id: order.userId,
    amount_minor: order.amountMinor,
  })
  return {
    topic: ordersTopic,
    key: order.id,
    value: OrderCreated.encode(event),
    ...(traceparent ? { headers: { [TRACEPARENT_HEADER]: traceparent } } : {}),
  }
}
