import { type Static, Type } from 'typebox'
import { defineEvent } from './define-event.ts'

/** Published by orders-service when an order is accepted; payments-service charges for it. */
export const OrderCreatedPayload = Type.Object(
  {
    order_id: Type.String({ format: 'uuid' }),
    user_id: Type.String({ format: 'uuid' }),
    amount_minor: Type.Integer({ minimum: 1, maximum: 100_000_000_000 }),
  },
  { additionalProperties: false },
)

export const OrderCreated = defineEvent('order_created', 1, OrderCreatedPayload)
export type OrderCreated = ReturnType<typeof OrderCreated.create>
export type OrderCreatedPayload = Static<typeof OrderCreatedPayload>
