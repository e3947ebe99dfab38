import { type Static, Type } from 'typebox'
import { defineEvent } from './define-event.ts'

/**
 * Why an order was not paid; payment_conflict: its id was already charged with another amount or
 * user; order_cancelled: its owner had cancelled it before payments-service saw it.
 */
export const PaymentFailureReason = Type.Union([
  Type.Literal('insufficient_funds'),
  Type.Literal('account_not_found'),
  Type.Literal('payment_conflict'),
  Type.Literal('order_cancelled'),
])

/** Published by payments-service once per order: the charge succeeded, or why it failed. */
export const PaymentFinishedPayload = Type.Union([
  Type.Object(
    {
      order_id: Type.String({ format: 'uuid' }),
      user_id: Type.String({ format: 'uuid' }),
      amount_minor: Type.Integer({ minimum: 1 }),
      status: Type.Literal('SUCCESS'),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      order_id: Type.String({ format: 'uuid' }),
      user_id: Type.String({ format: 'uuid' }),
      amount_minor: Type.Integer({ minimum: 1 }),
      status: Type.Literal('FAIL'),
      reason: PaymentFailureReason,
    },
    { additionalProperties: false },
  ),
])

export const PaymentFinished = defineEvent('payment_finished', 1, PaymentFinishedPayload)
export type PaymentFinished = ReturnType<typeof PaymentFinished.create>
export type PaymentFinishedPayload = Static<typeof PaymentFinishedPayload>
export type PaymentFailureReason = Static<typeof PaymentFailureReason>
