import { type Static, Type } from 'typebox'
import { defineEvent } from './define-event.ts'
import { orderFields } from './order-fields.ts'

/** Published by orders-service when an order is accepted; payments-service charges for it. */
export const OrderCreatedPayload = Type.Object(orderFields, { additionalProperties: false })

export const OrderCreated = defineEvent('order_created', 1, OrderCreatedPayload)
export type OrderCreated = ReturnType<typeof OrderCreated.create>
export type OrderCreatedPayload = Static<typeof OrderCreatedPayload>
