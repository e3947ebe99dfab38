import { type Static, Type } from 'typebox'

/**
 * Every status an order has: it starts NEW and becomes FINISHED (paid) or CANCELLED, once; a
 * FINISHED order whose whole amount was refunded becomes REFUNDED. How it may move is
 * `order-state-machine.ts`.
 */
export const OrderStatus = Type.Union([
  Type.Literal('NEW'),
  Type.Literal('FINISHED'),
  Type.Literal('CANCELLED'),
  Type.Literal('REFUNDED'),
])

export type OrderStatusName = Static<typeof OrderStatus>

/** The statuses an order has once it left NEW. */
export type FinalOrderStatus = Exclude<OrderStatusName, 'NEW'>

/** Why an order was cancelled by its owner (a failed payment gives its own reason). */
export const CANCELLED_BY_CUSTOMER = 'cancelled_by_customer'
