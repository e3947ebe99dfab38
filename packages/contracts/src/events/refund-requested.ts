import { type Static, Type } from 'typebox'
import { defineEvent } from './define-event.ts'
import { orderFields } from './order-fields.ts'

/** Published by orders-service when a refund of a FINISHED order was accepted; payments-service credits it once. */
export const RefundRequestedPayload = Type.Object(
  { refund_id: Type.String({ format: 'uuid' }), ...orderFields },
  { additionalProperties: false },
)

export const RefundRequested = defineEvent('refund_requested', 1, RefundRequestedPayload)
export type RefundRequested = ReturnType<typeof RefundRequested.create>
export type RefundRequestedPayload = Static<typeof RefundRequestedPayload>
