import { type Static, Type } from 'typebox'
import { defineEvent } from './define-event.ts'
import { orderFields } from './order-fields.ts'

/**
 * Published by orders-service when its owner cancelled a NEW order. payments-service keeps no money
 * for it: a charge already made is refunded, and an order not charged yet never will be.
 */
export const OrderCancelledPayload = Type.Object(
  {
    ...orderFields,
    reason: Type.Literal('cancelled_by_customer'),
  },
  { additionalProperties: false },
)

export const OrderCancelled = defineEvent('order_cancelled', 1, OrderCancelledPayload)
export type OrderCancelled = ReturnType<typeof OrderCancelled.create>
export type OrderCancelledPayload = Static<typeof OrderCancelledPayload>
