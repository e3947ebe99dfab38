import type { PaymentFailureReason } from '@shop/contracts'

export type { PaymentFailureReason }

export interface Payment {
  orderId: string
  userId: string
  amountMinor: number
  status: 'SUCCESS' | 'FAIL'
  reason: PaymentFailureReason | null
}

export interface ChargeRequest {
  orderId: string
  userId: string
  amountMinor: number
}

/** A payment for the order already exists: the same request again, or a different one with its id. */
export const isSameCharge = (payment: Payment, request: ChargeRequest) =>
  payment.userId === request.userId && payment.amountMinor === request.amountMinor
