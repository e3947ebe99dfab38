import type { RefundFailureReason } from '@shop/contracts'

export interface Refund {
  id: string
  orderId: string
  userId: string
  amountMinor: number
  /** `requested`: its customer asked for it; `cancellation`: it gives back a cancelled order's charge. */
  cause: 'requested' | 'cancellation'
  status: 'SUCCEEDED' | 'FAILED'
  reason: RefundFailureReason | null
}
