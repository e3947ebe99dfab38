import { type Static, Type } from 'typebox'

/** A refund is PENDING until payments-service answers; then SUCCEEDED (credited, once) or FAILED. */
export const RefundStatus = Type.Union([
  Type.Literal('PENDING'),
  Type.Literal('SUCCEEDED'),
  Type.Literal('FAILED'),
])

export type RefundStatusName = Static<typeof RefundStatus>

/**
 * Why payments-service could not credit a refund: it holds no successful charge of that order by
 * that user (`payment_not_found`), or the order's refunds would pass its charge
 * (`refund_exceeds_payment`). A refund gives back money that was in the account, so the top-up
 * limit of a balance does not stop it.
 */
export const RefundFailureReason = Type.Union([
  Type.Literal('payment_not_found'),
  Type.Literal('refund_exceeds_payment'),
])

export type RefundFailureReason = Static<typeof RefundFailureReason>
