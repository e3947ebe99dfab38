import { type Static, Type } from 'typebox'
import { RefundFailureReason } from '../refund-status.ts'
import { defineEvent } from './define-event.ts'
import { orderFields } from './order-fields.ts'

const refundOf = { refund_id: Type.String({ format: 'uuid' }), ...orderFields }

/** Published by payments-service once per refund: the account was credited, or why it was not. */
export const RefundFinishedPayload = Type.Union([
  Type.Object({ ...refundOf, status: Type.Literal('SUCCEEDED') }, { additionalProperties: false }),
  Type.Object(
    { ...refundOf, status: Type.Literal('FAILED'), reason: RefundFailureReason },
    { additionalProperties: false },
  ),
])

export const RefundFinished = defineEvent('refund_finished', 1, RefundFinishedPayload)
export type RefundFinished = ReturnType<typeof RefundFinished.create>
export type RefundFinishedPayload = Static<typeof RefundFinishedPayload>
