import { type Static, Type } from 'typebox'

/** Every status an order has: it starts NEW and becomes FINISHED (paid) or CANCELLED, once. */
export const OrderStatus = Type.Union([
  Type.Literal('NEW'),
  Type.Literal('FINISHED'),
  Type.Literal('CANCELLED'),
])

export type OrderStatusName = Static<typeof OrderStatus>

/** The statuses an order ends in: they never change again. */
export type FinalOrderStatus = Exclude<OrderStatusName, 'NEW'>
