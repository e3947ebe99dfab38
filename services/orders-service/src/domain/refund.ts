import type { RefundFailureReason, RefundStatusName } from '@shop/contracts'
import { fromMinorUnits } from '@shop/platform'

export interface Refund {
  id: string
  orderId: string
  amountMinor: number
  status: RefundStatusName
  reason: RefundFailureReason | null
  createdAt: Date
}

/** The refund as clients see it: money as a JSON number, `reason` only once it failed. */
export function toRefundView(refund: Refund) {
  return {
    id: refund.id,
    order_id: refund.orderId,
    amount: fromMinorUnits(refund.amountMinor),
    status: refund.status,
    ...(refund.reason ? { reason: refund.reason } : {}),
    created_at: refund.createdAt.toISOString(),
  }
}
